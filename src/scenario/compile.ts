import { flattenNested, nestedShape, type Nested } from '../foundation/nested';
import { formatPath, type Problem } from '../foundation/problem';
import type { SymbolInfo, SymbolTable } from '../foundation/symbols';
import { tensor64, type Tensor64 } from '../foundation/tensor';
import type { Expr } from '../formula/ast';
import { checkDefinition, checkLoss, type CheckedFormulas } from '../formula/check';
import { renderFormulaError, type FormulaError } from '../formula/formulaError';
import { FUNCTIONS } from '../formula/functions';
import { KEYWORD_OPERATORS } from '../formula/scanner';
import type { Blueprint, Path, TensorBlueprint } from './blueprint';
import { LIMITS, type Optimizer } from './schema';

// A blueprint checked into the computation both worlds run: every definition and the loss parsed
// and checked in order against what comes before them, the names made unique, and the symbol
// table that claims are checked against. Problems are data with the path of what caused them.

export interface Definition {
  name: string;
  /** its axes (the left side's indices), in order, and their sizes */
  vars: string[];
  shape: number[];
  body: Expr;
  checked: CheckedFormulas;
  kind: 'intermediate' | 'target' | 'loss';
  /** a helper formulas cannot name */
  hidden: boolean;
  /** its kinks cancel downstream: not watched */
  smooth: boolean;
  /** the symbols its formula reads */
  reads: Set<string>;
  /** the same definition through other names, used while one of `moved` is the symbol moved */
  through?: { moved: Set<string>; body: Expr; checked: CheckedFormulas; reads: Set<string> };
}

export interface CheckedComputation {
  form: Blueprint['form'];
  tensors: TensorBlueprint[];
  /** in order; the loss E last */
  definitions: Definition[];
  counts: Map<string, number>;
  constants: Map<string, Tensor64>;
  /** other names of tensors (a network's a0 is x) */
  aliases: Map<string, string>;
  /** what claims may name: tensors, definitions, E, counts, constants, lr */
  table: SymbolTable;
  /** the real tensors an optimizer steps and the gradient scale is taken over */
  parameters: string[];
  /** the symbols the built-in gradient check compares */
  compared: string[];
  optimizer?: Optimizer;
  /** numbers one trial holds: tensors and definitions */
  numbers: number;
}

export type CompileResult = { ok: true; computation: CheckedComputation } | { ok: false; problems: Omit<Problem, 'file'>[] };

/** A formula error as a problem at `path`: its reason, and the formula with a caret below. */
export function formulaProblem(path: Path, error: FormulaError): Omit<Problem, 'file'> {
  const [reason, ...detail] = renderFormulaError(error).split('\n');
  return { path, message: reason, detail: detail.join('\n') };
}

/** The symbols a formula reads (table names, aliases resolved later by the caller). */
export function readsOf(node: Expr, out = new Set<string>()): Set<string> {
  if (node.kind === 'symbol') out.add(node.name);
  if (node.kind === 'index') readsOf(node.base, out), node.indices.forEach((i) => readsOf(i, out));
  if (node.kind === 'unary') readsOf(node.operand, out);
  if (node.kind === 'binary') readsOf(node.left, out), readsOf(node.right, out);
  if (node.kind === 'call') node.args.forEach((a) => readsOf(a, out));
  return out;
}

function constantTensor(value: Nested): Tensor64 {
  return tensor64(nestedShape(value), flattenNested(value).map(Math.fround));
}

export function compile(blueprint: Blueprint, constants: Record<string, Nested>, optimizer: Optimizer | undefined): CompileResult {
  const problems: Omit<Problem, 'file'>[] = [];
  const symbols = new Map<string, SymbolInfo>();
  /** who holds each name, for "already …" messages */
  const holders = new Map<string, string>();
  const claim = (name: string, holder: string, path: Path): boolean => {
    const held = holders.get(name) ?? (FUNCTIONS.has(name) || KEYWORD_OPERATORS.has(name) ? 'a function or operator of the formula language' : undefined);
    if (held !== undefined) {
      problems.push({ path, message: `'${name}' is already ${held}` });
      return false;
    }
    holders.set(name, holder);
    return true;
  };
  for (const [name, { value, path }] of blueprint.counts) if (claim(name, `a size (${formatPath(path)})`, path)) symbols.set(name, { shape: [], kind: 'count', value });
  for (const t of blueprint.tensors) {
    if (claim(t.name, `a tensor (${formatPath(t.path)})`, t.path)) symbols.set(t.name, { shape: t.shape, kind: t.kind, ...(t.draw.kind === 'integer' ? { classes: t.draw.classes } : {}) });
  }
  for (const [alias, target] of blueprint.aliases) if (claim(alias, `another name of ${target}`, [])) symbols.set(alias, symbols.get(target)!);
  const constantValues = new Map<string, Tensor64>();
  for (const [name, value] of Object.entries(constants)) {
    const path = ['constants', name];
    const holder = holders.get(name);
    if (holder !== undefined || FUNCTIONS.has(name) || KEYWORD_OPERATORS.has(name) || name === 'E' || (optimizer && name === 'lr')) {
      problems.push({ path, message: `'${name}' is already a ${blueprint.form === 'network' ? 'network symbol' : 'name of the computation'} or function name` });
      continue;
    }
    holders.set(name, `a constant (${formatPath(path)})`);
    const tensor = constantTensor(value);
    constantValues.set(name, tensor);
    symbols.set(name, { shape: tensor.shape, kind: 'constant' });
  }
  holders.set('E', 'the loss');
  if (optimizer) {
    holders.set('lr', 'the learning rate');
    symbols.set('lr', { shape: [], kind: 'constant' });
  }
  if (problems.length > 0) return { ok: false, problems };

  const table: SymbolTable = { symbols, hasOptimizer: optimizer !== undefined };
  const definitions: Definition[] = [];
  const later = new Map(blueprint.definitions.map((d, k) => [d.text.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)/)?.[1] ?? '', k]));
  for (const [k, blueprintDefinition] of blueprint.definitions.entries()) {
    const result = checkDefinition(blueprintDefinition.text, table, {
      taken: (name) => (holders.has(name) ? `'${name}' is already ${holders.get(name)}` : undefined),
      notYet: (name) => {
        const at = later.get(name);
        return at !== undefined && at > k ? `${name} is defined later (${formatPath(blueprint.definitions[at].path)}): a definition may use the tensors, the sizes and the definitions before it` : undefined;
      },
    });
    if (!result.ok) return { ok: false, problems: [formulaProblem(blueprintDefinition.path, result.error)] };
    const { name, vars, shape, body, ...checked } = result.definition;
    holders.set(name, `defined (${formatPath(blueprintDefinition.path)})`);
    symbols.set(name, { shape, kind: blueprintDefinition.kind });
    definitions.push({ name, vars, shape, body, checked: { ...checked, freeIndices: checked.freeIndices }, kind: blueprintDefinition.kind, hidden: blueprintDefinition.hidden === true, smooth: blueprintDefinition.smooth === true, reads: readsOf(body) });
  }
  const loss = checkLoss(blueprint.loss.text, table);
  if (!loss.ok) return { ok: false, problems: [formulaProblem(blueprint.loss.path, loss.error)] };
  const E: Definition = { name: 'E', vars: [], shape: [], body: loss.loss.body, checked: loss.loss, kind: 'loss', hidden: false, smooth: false, reads: readsOf(loss.loss.body) };
  if (blueprint.loss.through) {
    const through = checkLoss(blueprint.loss.through.text, table);
    if (!through.ok) return { ok: false, problems: [formulaProblem(blueprint.loss.path, through.error)] };
    E.through = { moved: new Set(blueprint.loss.through.moved), body: through.loss.body, checked: through.loss, reads: readsOf(through.loss.body) };
  }
  definitions.push(E);
  symbols.set('E', { shape: [], kind: 'loss' });

  const numbers = [...blueprint.tensors.map((t) => t.shape), ...definitions.map((d) => d.shape)].reduce((total, shape) => total + shape.reduce((a, b) => a * b, 1), 0);
  if (numbers > LIMITS.numbers) {
    return { ok: false, problems: [{ path: [blueprint.form === 'network' ? 'model' : 'computation'], message: `this ${blueprint.form} holds ${numbers} numbers per trial; the limit is ${LIMITS.numbers}` }] };
  }
  // hidden helpers are the expansion's own: claims see every other name
  const claimSymbols = new Map([...symbols].filter(([name]) => !definitions.some((d) => d.hidden && d.name === name)));
  const parameters = blueprint.tensors.filter((t) => t.kind === 'parameter').map((t) => t.name);
  const compared = blueprint.compared ?? [...blueprint.tensors.filter((t) => t.kind !== 'integer').map((t) => t.name), ...definitions.filter((d) => !d.hidden && d.kind !== 'loss').map((d) => d.name)];
  return {
    ok: true,
    computation: {
      form: blueprint.form,
      tensors: blueprint.tensors,
      definitions,
      counts: new Map([...blueprint.counts].map(([name, { value }]) => [name, value])),
      constants: constantValues,
      aliases: blueprint.aliases,
      table: { symbols: claimSymbols, hasOptimizer: optimizer !== undefined },
      parameters,
      compared,
      ...(optimizer ? { optimizer } : {}),
      numbers,
    },
  };
}
