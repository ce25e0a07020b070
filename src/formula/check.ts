import type { SymbolTable } from '../foundation/symbols';
import type { Expr } from './ast';
import { Checker } from './checker';
import { FormulaError, failAt } from './formulaError';
import { FUNCTIONS } from './functions';
import type { IndexForm } from './indexForms';
import { say, type Field } from './messages';
import { parseFormula } from './parser';
import { KEYWORD_OPERATORS } from './scanner';

// Formulas checked against a symbol table (checker.ts does the work): a claim's lhs, rhs and where,
// one definition `name[i, j] = formula` of a computation, or its loss. What the evaluator needs
// afterwards (ranges, index forms, which names are index values) comes back with the trees.

/** What checking a set of formulas records for the evaluator. */
export interface CheckedFormulas {
  /** free index variables in order of first appearance (a definition: its axes, in order), with their sizes */
  freeIndices: { name: string; size: number }[];
  /** the range of the variable every sum/mean/maxover/minover call binds */
  boundSizes: Map<Expr, number>;
  /**
   * Free index variables of every node, in order of first appearance. A binding call leaves out
   * its bound variable; its index-variable argument (a symbol node) maps to its own name.
   */
  freeVars: Map<Expr, string[]>;
  /**
   * Symbol nodes (in where and ind) that stand for the value of an index variable rather than a
   * tensor, e.g. `k` in `k == 0`. Every other symbol node names an entry of the table.
   */
  indexValues: Set<Expr>;
  /** each index node's index expressions (one per axis), and each delta call's two */
  indexForms: Map<Expr, IndexForm[]>;
  /** each pad call's amounts, one per axis */
  pads: Map<Expr, number[]>;
}

export interface CheckedClaim extends CheckedFormulas {
  lhs: Expr;
  rhs: Expr;
  where?: Expr;
}

export type CheckResult =
  | { ok: true; claim: CheckedClaim }
  | { ok: false; field: Field; error: FormulaError };

function recorded(checker: Checker, freeIndices: { name: string; size: number }[]): CheckedFormulas {
  return { freeIndices, boundSizes: checker.boundSizes, freeVars: checker.freeVars, indexValues: checker.indexValues, indexForms: checker.indexForms, pads: checker.pads };
}

export function checkClaim(texts: { lhs: string; rhs: string; where?: string }, table: SymbolTable): CheckResult {
  const fields: Field[] = texts.where === undefined ? ['lhs', 'rhs'] : ['lhs', 'rhs', 'where'];
  const trees = new Map<Field, Expr>();
  const checker = new Checker(table, { derivatives: true });
  for (const field of fields) {
    try {
      trees.set(field, parseFormula(texts[field as 'lhs']!));
    } catch (error) {
      if (error instanceof FormulaError) return { ok: false, field, error };
      throw error;
    }
  }
  try {
    for (const field of fields) checker.checkField(field, texts[field as 'lhs']!, trees.get(field)!);
    checker.finish();
  } catch (error) {
    if (error instanceof FormulaError) return { ok: false, field: checker.field, error };
    throw error;
  }
  const lhs = trees.get('lhs')!;
  const rhs = trees.get('rhs')!;
  const where = trees.get('where');
  return { ok: true, claim: { lhs, rhs, ...(where ? { where } : {}), ...recorded(checker, checker.freeIndicesOf([lhs, rhs])) } };
}

/** One definition of a computation, checked: a new tensor `name` over `vars`. */
export interface CheckedDefinition extends CheckedFormulas {
  name: string;
  /** the definition as written */
  text: string;
  /** its axes, in order (the left side's indices) */
  vars: string[];
  shape: number[];
  body: Expr;
}

export type DefinitionResult = { ok: true; definition: CheckedDefinition } | { ok: false; error: FormulaError };

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;

/** `name[i, j] =` or `name =` at the start of a definition: the name, its indices with their spans, and where the formula starts. */
function definitionHead(text: string): { name: string; span: [number, number]; vars: { name: string; pos: number; end: number }[]; body: number } {
  let at = 0;
  const skip = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const identifier = (): { name: string; pos: number; end: number } | null => {
    skip();
    IDENTIFIER.lastIndex = at;
    const match = IDENTIFIER.exec(text);
    if (!match) return null;
    at = IDENTIFIER.lastIndex;
    return { name: match[0], pos: match.index, end: at };
  };
  const shape = () => failAt(text, 0, Math.max(1, at), say.definitionShape());
  const head = identifier() ?? shape();
  const vars: { name: string; pos: number; end: number }[] = [];
  skip();
  if (text[at] === '[') {
    at++;
    for (;;) {
      const v = identifier() ?? shape();
      vars.push(v);
      skip();
      if (text[at] === ',') at++;
      else if (text[at] === ']') break;
      else shape();
    }
    at++;
    skip();
  }
  if (text[at] !== '=' || text[at + 1] === '=') shape();
  return { name: head.name, span: [head.pos, head.end], vars, body: at + 1 };
}

export interface DefinitionOptions {
  /** why `name` cannot be defined here (already a symbol, defined earlier), or undefined */
  taken?: (name: string) => string | undefined;
  /** why a name is not a symbol here yet (the definition's own name, a later definition's) */
  notYet?: (name: string) => string | undefined;
}

/** Parses and checks `name[i, j] = formula` against the table of what is defined before it. */
export function checkDefinition(text: string, table: SymbolTable, options: DefinitionOptions = {}): DefinitionResult {
  try {
    const head = definitionHead(text);
    const clash = options.taken?.(head.name) ?? (FUNCTIONS.has(head.name) || KEYWORD_OPERATORS.has(head.name) ? say.definitionNamesFunction(head.name) : undefined);
    if (clash !== undefined) failAt(text, head.span[0], head.span[1], clash);
    const names = head.vars.map((v) => v.name);
    head.vars.forEach((v, i) => {
      if (names.indexOf(v.name) !== i) failAt(text, v.pos, v.end, say.definitionIndexTwice(v.name, head.name));
      if (table.symbols.has(v.name)) failAt(text, v.pos, v.end, say.indexNamesSymbol(v.name));
    });
    // the formula parsed where it stands, so every position is one in the definition's text
    const padded = ' '.repeat(head.body) + text.slice(head.body);
    let body: Expr;
    try {
      body = parseFormula(padded);
    } catch (error) {
      if (error instanceof FormulaError) failAt(text, error.pos, error.end, error.reason);
      throw error;
    }
    const checker = new Checker(table, { declaredFree: names, defines: head.name, derivatives: false, notYet: (name) => (name === head.name ? say.definitionUsesItself(head.name) : options.notYet?.(name)) });
    head.vars.forEach((v) => checker.placeDeclared(v.name, { field: 'define', formula: text, pos: v.pos, end: v.end }));
    checker.checkField('define', text, body);
    checker.finish();
    const sizes = checker.declaredSizes();
    return { ok: true, definition: { name: head.name, text, vars: names, shape: sizes, body, ...recorded(checker, names.map((name, i) => ({ name, size: sizes[i] }))) } };
  } catch (error) {
    if (error instanceof FormulaError) return { ok: false, error };
    throw error;
  }
}

/** The loss: a formula with no free index. */
export interface CheckedLoss extends CheckedFormulas {
  text: string;
  body: Expr;
}

export type LossResult = { ok: true; loss: CheckedLoss } | { ok: false; error: FormulaError };

export function checkLoss(text: string, table: SymbolTable): LossResult {
  try {
    const body = parseFormula(text);
    const checker = new Checker(table, { derivatives: false });
    checker.checkField('loss', text, body);
    checker.finish();
    const free = checker.freeVars.get(body)!;
    if (free.length > 0) failAt(text, body.pos, body.end, say.lossNotScalar(free));
    return { ok: true, loss: { text, body, ...recorded(checker, []) } };
  } catch (error) {
    if (error instanceof FormulaError) return { ok: false, error };
    throw error;
  }
}
