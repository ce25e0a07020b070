import type { SymbolInfo, SymbolTable } from '../foundation/symbols';
import { unravel } from '../foundation/indices';
import { nodesOf, type Expr } from '../formula/ast';
import { checkDefinition, type CheckedDefinition, type CheckedFormulas } from '../formula/check';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import { plainVariable, type IndexForm } from '../formula/indexForms';
import { scanFormula } from '../formula/scanner';
import { substitute } from '../formula/substitute';
import { transposeLinear } from '../formula/transposeLinear';
import type { CheckedComputation, Definition } from '../scenario/compile';
import type { Value64 } from './algebra64';
import { evaluation, namesOf, type Env64, type KinkWatch } from './definitions64';
import type { KinkAwareEstimate } from './kinks';
import { blockChecked, blockEnv, blockReadsOf } from './indexBlock64';
import { ownRuns, readsOf } from './lossRows';

// ∂E/∂P through the one definition D that reads P, by the chain rule, when D is linear in P
// (src/formula/transposeLinear.ts: ∂E/∂D summed back through the linear map) or elementwise in P
// (D[i…] = f(P[i…], …): ∂E/∂D times dD/dP, all of whose elements one finite-difference run along
// P + t·1 gives at once). ∂E/∂D comes the same way from D's own reader where it can, so a chain
// of such readers ends at E (∂E/∂E = 1) or at a definition differentiated element by element; the
// error estimates ride along and the sums' rounding is added. Taken when the chain needs fewer
// finite-difference runs than P's own elements (a dense layer's W from its net, its net through
// the activation from the next layer's net: N·d_out runs instead of d_in·d_l), or when ∂E/∂D is
// at hand already; never when ∂E/∂D or dD/dP has a kink, whose elements P's own finite
// differences tell apart. Through a linear reader whose ∂E/∂D is at hand, one element of ∂E/∂P
// is the transposed map read at that element (throughLinearAt).

const GRADIENT = '__dE_dD';
const MAGNITUDE = '__dE_dD_abs';

type Reader = { reader: Definition; kind: 'linear' | 'elementwise' };

/** The one definition that reads `symbol` (or one of its other names), read by its own form; else null. */
function onlyReader(computation: CheckedComputation, symbol: string): Definition | null {
  const names = new Set(namesOf(computation, symbol));
  const readers = computation.definitions.filter((d) => [...names].some((n) => d.reads.has(n) || d.through?.reads.has(n)));
  if (readers.length !== 1) return null;
  const [reader] = readers;
  if (reader.through || ![...names].every((n) => n === symbol || !reader.reads.has(n))) return null;
  return reader;
}

/** Whether `reader` reads `symbol` only at its own element, `symbol[v…]` with v… the reader's axes in order. */
function elementwiseIn(reader: Definition, symbol: string, rank: number): boolean {
  if (reader.vars.length !== rank || rank === 0) return false;
  const reads = readsOf(reader.body, symbol);
  return (
    reads.length > 0 &&
    reads.every((read) => {
      const forms = reader.checked.indexForms.get(read);
      return read.kind === 'index' && forms !== undefined && forms.length === rank && forms.every((f, a) => plainVariable(f) === reader.vars[a]);
    })
  );
}

/** The one reader of `symbol` and how the chain rule goes through it, or null. */
function readerOf(computation: CheckedComputation, symbol: string, shape: readonly number[]): Reader | null {
  const reader = onlyReader(computation, symbol);
  if (reader === null) return null;
  const transposed = transposeLinear(reader.body, reader.vars, reader.shape, symbol, reader.checked, GRADIENT, MAGNITUDE);
  if (transposed !== null && transposed.vars.length === shape.length) return { reader, kind: 'linear' };
  if (elementwiseIn(reader, symbol, shape.length) && reader.shape.join() === shape.join()) return { reader, kind: 'elementwise' };
  return null;
}

/**
 * Finite-difference runs the chain rule needs for ∂E/∂symbol (0 for E and for what is known): a
 * linear reader costs what its own gradient does, an elementwise one one run more; a symbol
 * without such a reader, its own runs (one per element, or per column: lossRows.ts).
 */
export function chainCost(computation: CheckedComputation, symbol: string, known: ReadonlyMap<string, unknown> = new Map()): number {
  if (symbol === 'E' || known.has(symbol)) return 0;
  const shape = shapeOf(computation, symbol);
  const through = shape && readerOf(computation, symbol, shape);
  const own = shape ? ownRuns(computation, symbol, shape) : Infinity;
  if (!through) return own;
  return Math.min(own, chainCost(computation, through.reader.name, known) + (through.kind === 'elementwise' ? 1 : 0));
}

function shapeOf(computation: CheckedComputation, symbol: string): readonly number[] | null {
  return computation.definitions.find((d) => d.name === symbol)?.shape ?? computation.tensors.find((t) => t.name === symbol)?.shape ?? null;
}

/**
 * ∂E/∂symbol through its one linear or elementwise reader, or null when that does not apply,
 * costs more than the symbol's own runs, or `lossGradient` gives null for the reader.
 * `slopeAlong(symbol, reader)`: the derivative of the reader's every element as every element of
 * the symbol moves by t at once.
 */
export function throughReader(
  computation: CheckedComputation,
  env: Env64,
  watch: KinkWatch,
  symbol: string,
  known: ReadonlyMap<string, Value64>,
  lossGradient: (name: string) => Value64 | null,
  slopeAlong: (symbol: string, reader: string) => KinkAwareEstimate,
): Value64 | null {
  const p = env.get(symbol);
  const through = p ? readerOf(computation, symbol, p.shape) : null;
  if (!p || !through) return null;
  const { reader, kind } = through;
  const cost = chainCost(computation, reader.name, known) + (kind === 'elementwise' ? 1 : 0);
  if (!known.has(reader.name) && cost >= ownRuns(computation, symbol, p.shape)) return null;
  return kind === 'linear' ? throughLinear(computation, env, watch, symbol, p, reader, lossGradient) : throughElementwise(symbol, p, reader, lossGradient, slopeAlong);
}

/** Whether every value is finite (a loop: typed arrays' `some` boxes each value it passes to its callback). */
function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * ∂E/∂P = ∂E/∂D ⊙ dD/dP for D elementwise in P, the error of each factor carried by the other.
 * `slopeAlong`'s arrays are the caller's: ∂E/∂P is written over them.
 */
function throughElementwise(symbol: string, p: Value64, reader: Definition, lossGradient: (name: string) => Value64 | null, slopeAlong: (symbol: string, reader: string) => KinkAwareEstimate): Value64 | null {
  const g = lossGradient(reader.name);
  if (!g || g.kink) return null;
  const slope = slopeAlong(symbol, reader.name);
  if (slope.kink || !allFinite(slope.value)) return null;
  const n = p.data.length;
  const { value: data, error } = slope;
  const gError = g.error ?? null;
  for (let i = 0; i < n; i++) {
    const s = data[i];
    const d = g.data[i] * s;
    error[i] = Math.abs(g.data[i]) * error[i] + Math.abs(s) * (gError !== null ? gError[i] : 0) + Number.EPSILON * Math.abs(d);
    data[i] = d;
  }
  return { shape: [...p.shape], data, error };
}

/** D's linear map in P transposed: ∂E/∂P from ∂E/∂D, and the same map with every coefficient taken absolutely (for the error). */
interface TransposedMap {
  value: CheckedDefinition;
  magnitude: CheckedDefinition;
  /** terms of its longest sum (their rounding: γ_k per term) */
  summed: number;
  /** the two maps' text over P's index variables `vars`, as transposeLinear wrote them */
  source: { vars: string[]; formula: string; magnitude: string };
}

/** The symbols a transposed map of D reads: the computation's, and ∂E/∂D and its error input. */
function mapTable(computation: CheckedComputation, reader: Definition): SymbolTable {
  const symbols = new Map<string, SymbolInfo>(computation.table.symbols);
  for (const d of computation.definitions) symbols.set(d.name, { shape: d.shape, kind: 'intermediate' });
  symbols.set(GRADIENT, { shape: reader.shape, kind: 'intermediate' });
  symbols.set(MAGNITUDE, { shape: reader.shape, kind: 'intermediate' });
  return { symbols, hasOptimizer: false };
}

function transposedMap(computation: CheckedComputation, symbol: string, p: Value64, reader: Definition): TransposedMap | null {
  const transposed = transposeLinear(reader.body, reader.vars, reader.shape, symbol, reader.checked, GRADIENT, MAGNITUDE)!;
  const table = mapTable(computation, reader);
  const head = `__dE_dP[${transposed.vars.join(',')}]`;
  const value = checkDefinition(`${head} = ${transposed.formula}`, table);
  const magnitude = checkDefinition(`${head} = ${transposed.magnitude}`, table);
  if (!value.ok || !magnitude.ok || value.definition.shape.join() !== p.shape.join()) return null;
  return { value: value.definition, magnitude: magnitude.definition, summed: transposed.summed, source: transposed };
}

/**
 * What the map's error is evaluated on: the estimate of ∂E/∂D carried through the sums, Σ|c|·err,
 * plus their rounding, γ_k·Σ|c·g|, both in one evaluation of the map with every coefficient taken
 * absolutely, Σ|c|·(err + γ_k·|g|).
 */
function errorInput(map: TransposedMap, g: Value64): Float64Array {
  const rounding = map.summed * Number.EPSILON;
  const bound = new Float64Array(g.data.length);
  const { data, error } = g;
  if (error) for (let i = 0; i < bound.length; i++) bound[i] = error[i] + rounding * Math.abs(data[i]);
  else for (let i = 0; i < bound.length; i++) bound[i] = rounding * Math.abs(data[i]);
  return bound;
}

/** A definition evaluated with ∂E/∂D (or its error input) as `name`, at `body` (its own, or one element of it). */
function evaluateWith(env: Env64, watch: KinkWatch, body: { expr: Expr; checked: CheckedFormulas }, read: Value64, name: string, vars: string[], shape: number[]): Value64 {
  const scope: Env64 = new Map(env);
  scope.set(name, read);
  return expandTo(watch.algebra, new FormulaEvaluator(body.checked, evaluation(watch, scope)).evaluate(body.expr, scope), vars, shape);
}

/** ∂E/∂P summed back through D's linear map in P. */
function throughLinear(computation: CheckedComputation, env: Env64, watch: KinkWatch, symbol: string, p: Value64, reader: Definition, lossGradient: (name: string) => Value64 | null): Value64 | null {
  const map = transposedMap(computation, symbol, p, reader);
  if (map === null) return null;
  const g = lossGradient(reader.name);
  if (!g || g.kink) return null;
  const whole = (definition: CheckedDefinition, read: Value64, name: string) => evaluateWith(env, watch, { expr: definition.body, checked: definition }, read, name, definition.vars, definition.shape);
  const result = whole(map.value, { shape: g.shape, data: g.data }, GRADIENT);
  const error = whole(map.magnitude, { shape: g.shape, data: errorInput(map, g) }, MAGNITUDE);
  return { shape: [...p.shape], data: result.data, error: error.data instanceof Float64Array ? error.data : Float64Array.from(error.data) };
}

/**
 * ∂E/∂P at one element of P, through its one linear reader D when ∂E/∂D is known in full already
 * (`known`; without a kink): the transposed map read at that element, a sum over D's elements
 * that P's element reaches (∂E/∂x[n,i] = Σ_j ∂E/∂net1[n,j]·W1[i,j]), instead of a
 * finite-difference run through everything downstream. A function of the element, made once per
 * symbol (the map checked and its error input computed once); null where that does not apply.
 */
export function throughLinearAt(computation: CheckedComputation, env: Env64, watch: KinkWatch, symbol: string, known: ReadonlyMap<string, Value64>): ((element: number) => { value: number; error: number }) | null {
  const p = env.get(symbol);
  const through = p ? readerOf(computation, symbol, p.shape) : null;
  if (!p || !through || through.kind !== 'linear') return null;
  const g = known.get(through.reader.name);
  if (!g || g.kink) return null;
  const map = transposedMap(computation, symbol, p, through.reader);
  if (map === null) return null;
  const gradient: Value64 = { shape: g.shape, data: g.data };
  const bound: Value64 = { shape: g.shape, data: errorInput(map, g) };
  return (element) => {
    const coordinates = unravel(element, p.shape);
    const at = (definition: CheckedDefinition, read: Value64, name: string): number => {
      const fixed = substitute(definition.body, definition, new Map(definition.vars.map((v, a) => [v, coordinates[a]])));
      return evaluateWith(env, watch, fixed, read, name, [], []).data[0];
    };
    return { value: at(map.value, gradient, GRADIENT), error: at(map.magnitude, bound, MAGNITUDE) };
  };
}

/** Whether a checked map reads each of `vars` only as a plain index of a tensor (x[n, i]): never in an index expression, a gather or delta, or as a number. */
function plainlyIndexed(map: CheckedDefinition, vars: readonly string[]): boolean {
  const named = (form: IndexForm) => form.terms.some((t) => vars.includes(t.name)) || form.gathers.some((g) => (map.freeVars.get(g.node) ?? []).some((v) => vars.includes(v)));
  for (const node of nodesOf(map.body)) {
    if (node.kind === 'symbol' && vars.includes(node.name) && map.indexValues.has(node)) return false;
    const forms = map.indexForms.get(node) ?? [];
    if (forms.some((form) => named(form) && (node.kind !== 'index' || !vars.includes(plainVariable(form) ?? '')))) return false;
  }
  return true;
}

/** The integer tensor of chosen elements' coordinates on P's axis `v` in `throughLinearAtElements`, and the index over the elements. */
const coordinatesOf = (v: string) => `__at_${v}`;
const ELEMENT = '__element';

/**
 * ∂E/∂P at chosen elements of P at once, as throughLinearAt gives each: the transposed map with
 * P's index variables read from integer tensors of the elements' coordinates (`x[n,i]` becomes
 * `x[n, __at_i[__element]]`), one definition over the elements, checked and evaluated once for
 * all of them, where throughLinearAt substitutes, plans and evaluates the map once per element.
 * Null where that does not apply.
 */
export function throughLinearAtElements(computation: CheckedComputation, env: Env64, watch: KinkWatch, symbol: string, known: ReadonlyMap<string, Value64>, elements: Int32Array): { value: Float64Array; error: Float64Array } | null {
  const p = env.get(symbol);
  const through = p ? readerOf(computation, symbol, p.shape) : null;
  if (!p || !through || through.kind !== 'linear' || elements.length === 0) return null;
  const g = known.get(through.reader.name);
  if (!g || g.kink) return null;
  const map = transposedMap(computation, symbol, p, through.reader);
  // read at its elements, a map that reads P's indices inside index expressions would sum in
  // another order than throughLinearAt's map at one element (a gather where it reads a slice)
  if (map === null || !plainlyIndexed(map.value, map.source.vars)) return null;
  const transposed = map.source;
  const table = mapTable(computation, through.reader);
  const scope: Env64 = new Map(env);
  transposed.vars.forEach((v, axis) => {
    table.symbols.set(coordinatesOf(v), { shape: [elements.length], kind: 'integer', classes: p.shape[axis] });
    scope.set(coordinatesOf(v), { shape: [elements.length], data: Float64Array.from(elements, (e) => unravel(e, p.shape)[axis]) });
  });
  // every read of one of P's index variables in the map's text, by its tokens
  const atElements = (formula: string): string => {
    let text = formula;
    for (const token of scanFormula(formula).reverse()) {
      if (token.kind === 'name' && transposed.vars.includes(token.text)) text = `${text.slice(0, token.pos)}${coordinatesOf(token.text)}[${ELEMENT}]${text.slice(token.end)}`;
    }
    return text;
  };
  const value = checkDefinition(`__dE_dP[${ELEMENT}] = ${atElements(transposed.formula)}`, table);
  const magnitude = checkDefinition(`__dE_dP[${ELEMENT}] = ${atElements(transposed.magnitude)}`, table);
  if (!value.ok || !magnitude.ok || value.definition.shape.join() !== String(elements.length)) return null;
  const at = (definition: CheckedDefinition, read: Value64, name: string): Float64Array => Float64Array.from(evaluateWith(scope, watch, { expr: definition.body, checked: definition }, read, name, definition.vars, definition.shape).data);
  return { value: at(value.definition, { shape: g.shape, data: g.data }, GRADIENT), error: at(magnitude.definition, { shape: g.shape, data: errorInput(map, g) }, MAGNITUDE) };
}

/**
 * ∂E/∂P's rows [from, to): values, and their error bound unless `valuesOnly`; `held`: views of
 * ∂E/∂P held whole.
 */
export type GradientRows = ((from: number, to: number, valuesOnly?: boolean) => Value64) & { held?: boolean };

/**
 * ∂E/∂P a block of P's rows at a time, through its one linear reader D once ∂E/∂D is known in
 * full (`lossGradient`, without a kink): the transposed map evaluated on the block
 * (indexBlock64.ts), so that ∂E/∂P is never held whole. Null where the chain rule does not go
 * through a linear reader or the map does not read P's first axis by blocks.
 */
export function throughLinearRows(computation: CheckedComputation, env: Env64, watch: KinkWatch, symbol: string, lossGradient: (name: string) => Value64 | null): GradientRows | null {
  const p = env.get(symbol);
  const through = p ? readerOf(computation, symbol, p.shape) : null;
  if (!p || !through || through.kind !== 'linear' || p.shape.length === 0) return null;
  const map = transposedMap(computation, symbol, p, through.reader);
  if (map === null) return null;
  const v = map.value.vars[0];
  const reads = blockReadsOf([map.value.body], map.value, v);
  const magnitudeReads = blockReadsOf([map.magnitude.body], map.magnitude, v);
  // ∂E/∂D itself is read whole
  if (reads === null || magnitudeReads === null || reads.has(GRADIENT) || magnitudeReads.has(MAGNITUDE)) return null;
  const g = lossGradient(through.reader.name);
  if (!g || g.kink) return null;
  const gradient: Value64 = { shape: g.shape, data: g.data };
  const bound: Value64 = { shape: g.shape, data: errorInput(map, g) };
  const rows = p.shape[0];
  const at = (definition: CheckedDefinition, blockReads: ReadonlyMap<string, number>, read: Value64, name: string, from: number, to: number): Value64 => {
    const scope = blockEnv(env, blockReads, rows, from, to);
    if (scope === null) throw new Error(`∂E/∂${symbol} by rows: a tensor the map reads has another extent than ${symbol}'s ${rows} rows`);
    const checked = blockChecked(definition, v, to - from);
    return evaluateWith(scope, watch, { expr: definition.body, checked }, read, name, definition.vars, [to - from, ...definition.shape.slice(1)]);
  };
  return (from, to, valuesOnly = false) => {
    const value = at(map.value, reads, gradient, GRADIENT, from, to);
    const shape = [to - from, ...p.shape.slice(1)];
    if (valuesOnly) return { shape, data: value.data };
    const error = at(map.magnitude, magnitudeReads, bound, MAGNITUDE, from, to);
    return { shape, data: value.data, error: error.data instanceof Float64Array ? error.data : Float64Array.from(error.data) };
  };
}
