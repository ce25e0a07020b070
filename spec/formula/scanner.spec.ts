import { FormulaError } from '../../src/formula/formulaError';
import { MAX_FORMULA_LENGTH, scanFormula } from '../../src/formula/scanner';

const compact = (text: string) => scanFormula(text).map((t) => (t.kind === 'end' ? 'END' : `${t.kind}:${t.text}@${t.pos}`));

describe('scanFormula', () => {
  it.each<[string, string[]]>([
    ['123 1.5 1e-3 .5 2.5E+4 7.', ['number:123@0', 'number:1.5@4', 'number:1e-3@8', 'number:.5@13', 'number:2.5E+4@16', 'number:7.@23', 'END']],
    ['W1[i,j]', ['name:W1@0', 'punct:[@2', 'name:i@3', 'punct:,@4', 'name:j@5', 'punct:]@6', 'END']],
    ['a<=b>=c==d!=e<f>g', ['name:a@0', 'operator:<=@1', 'name:b@3', 'operator:>=@4', 'name:c@6', 'operator:==@7', 'name:d@9', 'operator:!=@10', 'name:e@12', 'operator:<@13', 'name:f@14', 'operator:>@15', 'name:g@16', 'END']],
    ['not a and b or _c9', ['operator:not@0', 'name:a@4', 'operator:and@6', 'name:b@10', 'operator:or@12', 'name:_c9@15', 'END']],
    ['andy notx', ['name:andy@0', 'name:notx@5', 'END']],
    [' \t\n(-x)^2/3*4+5 ', ['punct:(@3', 'operator:-@4', 'name:x@5', 'punct:)@6', 'operator:^@7', 'number:2@8', 'operator:/@9', 'number:3@10', 'operator:*@11', 'number:4@12', 'operator:+@13', 'number:5@14', 'END']],
  ])('%j', (text, expected) => {
    expect(compact(text)).toEqual(expected);
  });

  it('gives numbers their value', () => {
    expect(scanFormula('1e-3 .5').slice(0, 2).map((t) => t.value)).toEqual([0.001, 0.5]);
  });

  it.each<[string, number, number, string]>([
    ['x ∂ y', 2, 3, "unexpected character '∂'"],
    ['a = b', 2, 3, "unexpected character '='"],
    ['a ! b', 2, 3, "unexpected character '!'"],
    ['x + 😀', 4, 6, "unexpected character '😀'"],
    ['x.y', 1, 2, "unexpected character '.'"],
    ['1e+', 0, 3, "malformed number '1e+': the exponent needs digits, as in 1e-3"],
    ['2exp(x)', 0, 4, "malformed number '2exp': the exponent needs digits, as in 1e-3"],
    ['1e999', 0, 5, "the number '1e999' is too large"],
  ])('%j → error at %i..%i', (text, pos, end, reason) => {
    let error: unknown;
    try {
      scanFormula(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormulaError);
    const { pos: p, end: e, reason: r } = error as FormulaError;
    expect({ pos: p, end: e, reason: r }).toEqual({ pos, end, reason });
  });

  it('refuses formulas longer than the limit, pointing past the limit', () => {
    const text = 'x+'.repeat(MAX_FORMULA_LENGTH);
    const started = Date.now();
    expect(() => scanFormula(text)).toThrow(`the formula is ${2 * MAX_FORMULA_LENGTH} characters long; the limit is ${MAX_FORMULA_LENGTH}`);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
