import { FormulaError, renderFormulaError } from '../../src/formula/formulaError';

describe('renderFormulaError', () => {
  it.each<[string, number, number, string]>([
    // reason line, formula, caret under the span
    ['x[0,i] * W3[j,k]', 9, 11, "boom at character 9\n  x[0,i] * W3[j,k]\n           ^^"],
    ['x +', 3, 3, 'boom at character 3\n  x +\n     ^'],
    ['', 0, 0, 'boom at character 0\n  \n  ^'],
    ['a\tb\nc', 4, 5, 'boom at character 4\n  a b c\n      ^'],
    ['∂∂ x', 3, 4, 'boom at character 3\n  ∂∂ x\n     ^'],
    ['😀 x', 3, 4, 'boom at character 3\n  😀 x\n    ^'],
  ])('%j [%i, %i)', (formula, pos, end, expected) => {
    expect(renderFormulaError({ formula, pos, end, reason: 'boom' })).toBe(expected);
  });

  it('cuts a long formula to a window around the span', () => {
    const formula = `${'a+'.repeat(100)}BAD${'+b'.repeat(100)}`;
    const rendered = renderFormulaError({ formula, pos: 200, end: 203, reason: 'boom' }).split('\n');
    expect(rendered[0]).toBe('boom at character 200');
    expect(rendered[1]).toBe(`  …${formula.slice(140, 263)}…`);
    expect(rendered[2]).toBe(`  ${' '.repeat(61)}^^^`);
  });

  it('cuts a long span, and its caret line, where the window ends', () => {
    const formula = 'x'.repeat(500);
    const rendered = renderFormulaError({ formula, pos: 10, end: 500, reason: 'boom' }).split('\n');
    expect(rendered[1]).toBe(`  ${'x'.repeat(190)}…`);
    expect(rendered[2]).toBe(`  ${' '.repeat(10)}${'^'.repeat(180)}`);
  });

  it('is the message of a FormulaError, whose fields stay data', () => {
    const error = new FormulaError({ formula: 'x ∂', pos: 2, end: 3, reason: "unexpected character '∂'" });
    expect({ message: error.message, pos: error.pos, end: error.end, reason: error.reason, name: error.name }).toEqual({
      message: "unexpected character '∂' at character 2\n  x ∂\n    ^",
      pos: 2,
      end: 3,
      reason: "unexpected character '∂'",
      name: 'FormulaError',
    });
  });
});
