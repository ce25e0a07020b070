// Every word a formula error says lives here; scanner, parser and checker only pick a message
// and a span. formulaError.ts adds the position and the caret.

/** Which text a formula came from: a claim's lhs, rhs or where, a definition, or the loss. */
export type Field = 'lhs' | 'rhs' | 'where' | 'define' | 'loss';

/** Where an index variable got its range, for messages that compare two uses. */
export interface AxisUse {
  field: Field;
  pos: number;
  /** e.g. "axis 1 of W2" */
  axis: string;
  size: number;
}

const quote = (s: string) => `'${s}'`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** A suggested name; `says` what the symbol is when a word, not a spelling, led to it (output → o). */
export interface Suggestion {
  name: string;
  says?: string;
}
const suggestion = (near: Suggestion | string | undefined) => {
  if (near === undefined) return '';
  const { name, says } = typeof near === 'string' ? { name: near, says: undefined } : near;
  return ` (did you mean ${quote(name)}${says === undefined ? '' : `, ${says}`}?)`;
};

/** ` (did you mean the index 'j' or 'k', or the symbol 'N'?)` */
function indexSuggestion(indices: readonly string[], near: Suggestion | undefined): string {
  const quoted = indices.map(quote);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  const symbol = near === undefined ? '' : `, or the symbol ${quote(near.name)}${near.says === undefined ? '' : `, ${near.says}`}`;
  return ` (did you mean the index ${list}${symbol}?)`;
}

/** Example index variables for "index it like W1[i,j]". */
export function exampleIndices(rank: number): string {
  const names = ['i', 'j', 'k', 'l', 'm', 'p', 'q', 'r'];
  return Array.from({ length: rank }, (_, a) => names[a] ?? `i${a}`).join(',');
}

export const say = {
  // scanner
  tooLong: (length: number, limit: number) =>
    `the formula is ${length} characters long; the limit is ${limit}`,
  unexpectedCharacter: (ch: string) => `unexpected character ${quote(ch)}`,
  exponentWithoutDigits: (text: string) =>
    `malformed number ${quote(text)}: the exponent needs digits, as in 1e-3`,
  numberTooLarge: (text: string) => `the number ${quote(text)} is too large`,

  // parser
  expectedExpression: (after: string | undefined, found: string) =>
    after === undefined
      ? `expected an expression, found ${found}`
      : `expected an expression after ${quote(after)}, found ${found}`,
  expectedOperator: (found: string) =>
    `expected an operator or the end of the formula, found ${found}`,
  unclosedParen: (openPos: number, found: string) =>
    `expected ')' to close the '(' at character ${openPos}, found ${found}`,
  expectedArgumentSeparator: (fn: string, found: string) =>
    `expected ',' or ')' in the arguments of ${fn}(...), found ${found}`,
  expectedIndex: (found: string) =>
    `expected an index (an index variable like i, a whole number like 0, or an index expression like 2*i + p), found ${found}`,
  expectedIndexSeparator: (found: string) =>
    `expected ',' or ']' after an index, found ${found}`,
  notIndexable: (what: string) =>
    `${what} cannot be indexed; only a symbol (x, W1, o…) or grad(...)/next(...) can`,
  indexedTwice: () => `this is already indexed; write all indices in one [...], like W1[i,j]`,
  chainedComparison: (op: string) =>
    `comparisons do not chain: ${quote(op)} cannot follow another comparison; write a < b and b < c`,
  prefixNeedsParens: (op: string) => `${quote(op)} needs parentheses here: write (${op} ...)`,
  tooDeep: (limit: number) => `the formula nests too deeply (more than ${limit} levels)`,
  indexArgument: (fn: string) => `the first argument of ${fn} must be the index variable it runs over, as in ${fn}(k, ...) or ${fn}(k < K, ...)`,
  boundLimit: (text: string) => `${text} is not a range: write the index's count as a whole number or a size, as in sum(k < 3, ...)`,

  // checker: names
  unknownSymbol: (name: string, near: Suggestion | undefined) => `unknown symbol ${quote(name)}${suggestion(near)}`,
  unknownFunction: (name: string, near: string | undefined) => `unknown function ${quote(name)}${suggestion(near)}`,
  /** index variables first (a name in where is most often an index), then the nearest symbol */
  unknownNameInWhere: (name: string, indices: readonly string[], near: Suggestion | undefined) =>
    `unknown name ${quote(name)}${indices.length === 0 ? suggestion(near) : indexSuggestion(indices, near)}: neither a symbol nor a free index of lhs or rhs`,
  maxAsReduction: (fn: 'max' | 'min', index: string) =>
    `${fn}(a, b) is the ${fn === 'max' ? 'larger' : 'smaller'} of two numbers, element by element; for the ${fn === 'max' ? 'largest' : 'smallest'} value over the index ${quote(index)} write ${fn}over(${index}, ...)`,
  functionWithoutCall: (name: string) => `${quote(name)} is a function; call it like ${name}(...)`,
  symbolCalled: (name: string, rank: number) =>
    rank === 0
      ? `${quote(name)} is a symbol, not a function; use it as ${name}`
      : `${quote(name)} is a symbol, not a function; index it like ${name}[${exampleIndices(rank)}]`,
  indexVariableAsValue: (name: string) =>
    `${quote(name)} is an index variable; as a number it can only appear in where, ind(...) or delta(...), else inside [...] or as the index of sum, mean, maxover or minover`,

  // checker: shapes and indices
  needsIndices: (what: string, rank: number, ofShape?: string) =>
    `${what} ${ofShape === undefined ? 'has' : `has the shape of ${ofShape}:`} ${plural(rank, 'axis', 'axes')}; index it like ${what}[${exampleIndices(rank)}]`,
  scalarIndexed: (what: string) => `${what} is a scalar; it takes no indices`,
  wrongIndexCount: (what: string, rank: number, given: number) =>
    `${what} has ${plural(rank, 'axis', 'axes')} but ${plural(given, 'index', 'indices')} ${given === 1 ? 'was' : 'were'} given; index it like ${what}[${exampleIndices(rank)}]`,
  callNotIndexable: (name: string) =>
    `${name}(...) gives one number per index value and cannot be indexed; only symbols, grad(...) and next(...) can`,
  indexOutOfRange: (value: number, axis: string, size: number) =>
    `index ${value} is out of range for ${axis}, which has size ${size} (use 0..${size - 1})`,
  // The first use's position is said here, with its field; this use's position is the
  // "at character N" every formula error ends with, so it follows "here".
  sizeMismatch: (name: string, here: string, hereSize: number, first: AxisUse) =>
    `index ${quote(name)} runs over ${first.axis} (size ${first.size}) at its first use (character ${first.pos} of ${first.field}), ` +
    `but over ${here} (size ${hereSize}) here`,
  unusedBoundIndex: (fn: string, name: string) =>
    `${fn}(${name}, ...) never uses ${quote(name)} to index a tensor, so its range is unknown`,
  unknownRange: (name: string) =>
    `the range of index ${quote(name)} is unknown: use it to index a tensor (alone, as in W[${name},j], or in an index expression whose other indices have ranges)`,
  noValidRange: (name: string, form: string, axis: string, size: number) =>
    `no value of ${quote(name)} keeps ${form} inside ${axis}, which has size ${size}`,
  readsOutside: (form: string, axis: string, size: number, lo: number, hi: number) =>
    `${form} runs from ${lo} to ${hi}, outside ${axis}, which has size ${size} (0..${size - 1}); pad the tensor explicitly, as in pad(T, …), to read zeros there`,
  negativeIndex: (value: number, axis: string, size: number) => `index ${value} is out of range for ${axis}, which has size ${size} (use 0..${size - 1})`,
  notWholeNumber: (text: string) => `${text} is not a whole number; an index is an index variable, a whole number or an index expression like 2*i + p`,
  notIndexExpression: (text: string) =>
    `${quote(text)} is not an index expression: an index is an index variable (i), a whole number (0), a size, an integer tensor's element (t[n]), or a sum of these times whole numbers (2*i + p - 1)`,
  nonAffineIndex: (text: string) => `${quote(text)} multiplies two index variables; an index is affine: a product needs a whole number on one side, as in 2*i`,
  tensorAsIndex: (name: string, kind: string) =>
    kind === 'integer' ? `${quote(name)} is an integer tensor; index it to read one of its elements, as in ${name}[n]` : `${quote(name)} holds ${kind === 'count' ? 'a count' : 'real numbers'} and cannot stand in an index; only index variables, whole numbers, sizes and integer tensors' elements can`,
  realTensorInIndex: (text: string, name: string) => `${text} cannot stand in an index: ${quote(name)} holds real numbers; only integer tensors (classes) can`,
  shadowedIndex: (name: string, other: string) => `${quote(name)} is already ${other}; a bound index needs a name of its own`,
  indexNamesSymbol: (name: string) => `${quote(name)} is a symbol, not an index variable; the index a call binds needs a name of its own`,
  definitionIndexUnused: (name: string, defined: string) => `index ${quote(name)} of ${defined} gets no range from the formula: use it to index a tensor`,
  definitionStrayIndex: (name: string, defined: string) => `index ${quote(name)} is neither an axis of ${defined} nor bound by a sum: add it to ${defined}[...] or sum over it`,
  lossNotScalar: (names: string[]) => `the loss must be a number, but index${names.length === 1 ? '' : 'es'} ${names.map(quote).join(', ')} ${names.length === 1 ? 'is' : 'are'} free: sum or average over ${names.length === 1 ? 'it' : 'them'}, as in mean(${names[0]}, …)`,
  definitionShape: () => `a definition is written name[i, j] = formula (or name = formula for a number)`,
  definitionIndexTwice: (name: string, defined: string) => `index ${quote(name)} appears twice in ${defined}[...]; each axis needs an index of its own`,
  definitionNamesFunction: (name: string) => `${quote(name)} is a function or operator of the formula language; a definition needs another name`,
  definitionUsesItself: (name: string) => `${name} uses itself: a definition may use the tensors, the sizes and the definitions before it`,
  derivativeInDefinition: (name: string) => `${name}(...) belongs in claims: a definition and the loss are functions of the tensors`,
  gradOfInteger: (name: string) => `grad(..., ${name}) is not defined: ${name} is an integer tensor, data that is never differentiated`,
  padTarget: () => `the first argument of pad must be a tensor such as x`,
  padAmount: (text: string) => `${text} is not a padding: pad takes whole numbers (or sizes) ≥ 0, one per axis, as in pad(x, 0, 0, 1, 1)`,
  padArity: (name: string, rank: number, given: number) => `pad(${name}, …) needs one amount per axis of ${name} (${rank}), got ${given}`,
  padNotIndexed: () => `pad(...) gives a tensor: index it, as in pad(x, 1)[i + p]`,
  strayWhereIndex: (name: string) =>
    `index ${quote(name)} in where is not a free index of lhs or rhs`,

  // checker: functions
  wrongArity: (name: string, arity: number, given: number) =>
    `${name} takes ${plural(arity, 'argument')}, got ${given}`,
  gradTarget: () => `the second argument of grad must be a bare symbol such as W1, not an expression`,
  gradOfCount: (name: string) => `grad(..., ${name}) is not defined: ${name} is a count, not a quantity that can vary`,
  insideGrad: (name: string) =>
    name === 'grad' ? 'grad inside grad (a second derivative) is not supported' : 'next inside grad is not supported: take grad of E, or compare next(P) outside grad',
  gradOfConstant: (name: string) => `grad(..., ${name}) is not defined: ${name} is a constant of the scenario`,
  nextTarget: () => `the argument of next must be a parameter such as W1 or b1`,
  nextOfNonParameter: (name: string, kind: string) =>
    `next(${name}) is not defined: ${name} is ${kind === 'input' || kind === 'intermediate' ? 'an' : 'a'} ${kind}, not a parameter`,
  nextWithoutOptimizer: (name: string) => `next(${name}) needs an optimizer, and the scenario has none`,

  // checker: conditions
  conditionOutsideWhere: (op: string, field: Field) =>
    `${quote(op)} makes a condition, and conditions belong in where or in ind(...), not in ${field} (ind(c) is 1 where c holds, else 0)`,
  needsNumbers: (op: string) => `${quote(op)} needs numbers, but got a condition`,
  needsConditions: (op: string) => `${quote(op)} needs conditions (comparisons like i == j), but got a number`,
  whereNotCondition: () => `where must be a condition, such as k == 0 or x[0,i] > 0`,
};
