import type { SymbolInfo, SymbolTable } from '../foundation/symbols';
import { sizeOf } from '../foundation/tensor';
import { checkDefinition, type CheckedDefinition } from '../formula/check';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import { transposeLinear } from '../formula/transposeLinear';
import type { CheckedComputation } from '../scenario/compile';
import type { Value64 } from './algebra64';
import { evaluation, type Env64, type KinkWatch } from './definitions64';

// ∂E/∂P through the one definition D that reads P, when D is linear in P (src/formula/
// transposeLinear.ts): ∂E/∂D differentiated element by element, then summed by the chain rule, its
// error estimates carried through the sum and the sum's rounding added. Taken when it needs fewer
// finite differences than P's own elements (a dense layer: N·d elements of net instead of d_in·d
// of W), when ∂E/∂D is at hand already, or when it follows from the chain rule alone (a chain of
// linear readers up to E, whose ∂E/∂E is 1); never when ∂E/∂D has a kink, whose elements P's own
// finite differences tell apart.

const GRADIENT = '__dE_dD';
const MAGNITUDE = '__dE_dD_abs';

/** The one definition that reads `symbol` (or one of its other names), read by its own form; else null. */
function onlyReader(computation: CheckedComputation, symbol: string): CheckedComputation['definitions'][number] | null {
  const names = new Set([symbol, ...[...computation.aliases].filter(([, target]) => target === symbol).map(([alias]) => alias)]);
  const readers = computation.definitions.filter((d) => [...names].some((n) => d.reads.has(n) || d.through?.reads.has(n)));
  if (readers.length !== 1) return null;
  const [reader] = readers;
  if (reader.through || ![...names].every((n) => n === symbol || !reader.reads.has(n))) return null;
  return reader;
}

/**
 * Whether ∂E/∂symbol follows from the chain rule alone: E itself, or a symbol whose one reader is
 * linear in it and has such a gradient (E = Σ out·dout makes ∂E/∂out = dout, and then
 * ∂E/∂γ = Σ_n x̂·dout for out = γ·x̂ + β): no finite difference is taken for it.
 */
export function exactByChainRule(computation: CheckedComputation, symbol: string): boolean {
  if (symbol === 'E') return true;
  const reader = onlyReader(computation, symbol);
  if (reader === null) return false;
  return transposeLinear(reader.body, reader.vars, reader.shape, symbol, reader.checked, GRADIENT, MAGNITUDE) !== null && exactByChainRule(computation, reader.name);
}

/** ∂E/∂symbol through its one linear reader, or null when that does not apply. */
export function throughLinear(computation: CheckedComputation, env: Env64, watch: KinkWatch, symbol: string, known: ReadonlyMap<string, Value64>, lossGradient: (name: string) => Value64): Value64 | null {
  const reader = onlyReader(computation, symbol);
  if (reader === null) return null;
  const p = env.get(symbol);
  if (!p || (!known.has(reader.name) && sizeOf(reader.shape) >= p.data.length && !exactByChainRule(computation, reader.name))) return null;
  const transposed = transposeLinear(reader.body, reader.vars, reader.shape, symbol, reader.checked, GRADIENT, MAGNITUDE);
  if (transposed === null || transposed.vars.length !== p.shape.length) return null;
  const symbols = new Map<string, SymbolInfo>(computation.table.symbols);
  for (const d of computation.definitions) symbols.set(d.name, { shape: d.shape, kind: 'intermediate' });
  symbols.set(GRADIENT, { shape: reader.shape, kind: 'intermediate' });
  symbols.set(MAGNITUDE, { shape: reader.shape, kind: 'intermediate' });
  const table: SymbolTable = { symbols, hasOptimizer: false };
  const head = `__dE_dP[${transposed.vars.join(',')}]`;
  const value = checkDefinition(`${head} = ${transposed.formula}`, table);
  const magnitude = checkDefinition(`${head} = ${transposed.magnitude}`, table);
  if (!value.ok || !magnitude.ok || value.definition.shape.join() !== p.shape.join()) return null;
  const g = lossGradient(reader.name);
  if (g.kink) return null;
  const evaluate = (definition: CheckedDefinition, read: Value64, name: string): Value64 => {
    const scope: Env64 = new Map(env);
    scope.set(name, read);
    return expandTo(watch.algebra, new FormulaEvaluator(definition, evaluation(watch, scope)).evaluate(definition.body, scope), definition.vars, definition.shape);
  };
  const result = evaluate(value.definition, g, GRADIENT);
  const absolute: Value64 = { shape: g.shape, data: Float64Array.from(g.data, Math.abs) };
  const size = evaluate(magnitude.definition, absolute, MAGNITUDE);
  // the estimate of ∂E/∂D carried through the sums, plus their rounding: γ_k·Σ|terms|
  const rounding = transposed.summed * Number.EPSILON;
  const error = new Float64Array(result.data.length);
  for (let i = 0; i < error.length; i++) error[i] = (result.error?.[i] ?? 0) + rounding * size.data[i];
  return { shape: [...p.shape], data: Float64Array.from(result.data), error };
}
