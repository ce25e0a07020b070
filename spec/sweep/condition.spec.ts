import { renderFormulaError } from '../../src/formula/formulaError';
import { matches, parseCondition } from '../../src/sweep/condition';
import { cellIndices, type Axis } from '../../src/sweep/grid';

// The `when` language: what each condition matches on a small grid, and each mistake as the
// words, the position and the caret a user sees.

const axes: Axis[] = [
  { name: 'activation', path: 'model.layers[0].activation', values: ['linear', 'sigmoid', 'relu'] },
  { name: 'classes', path: 'model.layers[1].units', values: [2, 3] },
  { name: 'labels', path: 'data.labels', values: [[0], [1]] },
];
const cells = cellIndices(axes).map((index) => index.map((v, k) => axes[k].values[v]));

/** The cells a condition matches, as `linear/2/[0]`. */
function matched(text: string): string[] | string {
  const parsed = parseCondition(text, axes);
  if (!parsed.ok) return renderFormulaError(parsed.problem);
  return cells.filter((cell) => matches(parsed.condition, cell)).map((cell) => cell.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('/'));
}

describe('when: the cells a condition matches', () => {
  it.each<[string, string[]]>([
    ["activation == 'linear' and classes == 2", ['linear/2/[0]', 'linear/2/[1]']],
    ["activation == 'relu' or labels == [1] and classes == 3", ['sigmoid/3/[1]', 'linear/3/[1]', 'relu/2/[0]', 'relu/2/[1]', 'relu/3/[0]', 'relu/3/[1]'].sort()],
    ["classes in {3} and activation in {'linear', 'relu'} and labels == [0]", ['linear/3/[0]', 'relu/3/[0]']],
    ["not (activation != 'sigmoid') and classes > 2", ['sigmoid/3/[0]', 'sigmoid/3/[1]']],
    ["2 < classes and 'relu' == activation and labels != [0]", ['relu/3/[1]']],
    ['classes >= 2 and classes <= 2 and labels == [1]', ['linear/2/[1]', 'relu/2/[1]', 'sigmoid/2/[1]']],
    ["(activation == 'linear' or activation == 'relu') and (classes == 3)", ['linear/3/[0]', 'linear/3/[1]', 'relu/3/[0]', 'relu/3/[1]']],
  ])('%s', (text, expected) => {
    const got = matched(text);
    expect(Array.isArray(got) ? got.sort() : got).toEqual(expected.sort());
  });
});

describe('when: mistakes, with their position', () => {
  it.each<[string, string]>([
    ["activaton == 'linear'", "unknown axis 'activaton' (did you mean 'activation'?); the axes are activation, classes, labels at character 0\n  activaton == 'linear'\n  ^^^^^^^^^"],
    ["activation == 'lineer'", "'lineer' is not a value of axis activation (its values: 'linear', 'sigmoid', 'relu') at character 14\n  activation == 'lineer'\n                ^^^^^^^^"],
    ['classes in {2, 5}', '5 is not a value of axis classes (its values: 2, 3) at character 15\n  classes in {2, 5}\n                 ^'],
    ['classes == 2 and', "expected a condition after 'and' at character 16\n  classes == 2 and\n                  ^"],
    ['classes == 2 labels == [0]', "expected and, or or the end of the condition, found 'labels == [0]' at character 13\n  classes == 2 labels == [0]\n               ^^^^^^^^^^^^^"],
    ['(classes == 2', 'Unclosed ( at character 13\n  (classes == 2\n               ^'],
    ['classes + 2', "'+' is not part of a condition (use == != < <= > >= in, and, or, not) at character 0\n  classes + 2\n  ^^^^^^^^^^^"],
    ['not classes == 2', 'not applies to a condition in parentheses, like not (classes == 2) at character 0\n  not classes == 2\n  ^^^^^^^^^^^^^^^^'],
    ['classes', "'classes' alone is not a condition; compare it, like classes == … at character 0\n  classes\n  ^^^^^^^"],
    ["activation < 'relu'", '< compares numbers at character 13\n  activation < \'relu\'\n               ^^^^^^'],
    ['labels > 1', '> compares numbers, and axis labels has values that are not numbers at character 0\n  labels > 1\n  ^^^^^^'],
    ['classes in 2', 'in takes a set of values in braces, like {2, 3} at character 11\n  classes in 2\n             ^'],
    ['classes == relu', "'relu' is an axis name or a word; a value is a number, a string in quotes, true, false, null or an array at character 11\n  classes == relu\n             ^^^^"],
  ])('%s', (text, expected) => {
    expect(matched(text)).toBe(expected);
  });
});
