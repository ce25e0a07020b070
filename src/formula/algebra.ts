import type { Expr } from './ast';
import type { CheckedFormulas } from './check';
import type { BinaryName, UnaryName } from './functions';

// What the formula evaluator needs from a world's tensors. The reference world implements it on
// Float64Array (carrying an error bound), the tfjs world on tf.Tensor; the evaluator that reads a
// formula is written once over this interface, so one formula text drives both worlds. The
// elementwise operations are the entries of functions.ts's ELEMENTWISE table.

export interface Algebra<T> {
  scalar(value: number): T;
  shape(t: T): number[];
  /** drops `axis`, keeping element `index` along it */
  select(t: T, axis: number, index: number): T;
  /** keeps the elements where axes a and b (a < b, equal sizes) have equal indices; drops axis b */
  diagonal(t: T, a: number, b: number): T;
  transpose(t: T, perm: number[]): T;
  reshape(t: T, shape: number[]): T;
  /**
   * elementwise, same rank, axes of size 1 broadcast; `reuseA`: `a` is a temporary that nothing
   * else holds, so its storage may hold the result (saves an array of its size; may be ignored)
   */
  binary(op: BinaryName, a: T, b: T, reuseA?: boolean): T;
  unary(op: UnaryName, t: T): T;
  sum(t: T, axis: number): T;
  /** the largest (or smallest) element along `axis`, which is dropped */
  extreme(t: T, axis: number, which: 'max' | 'min'): T;
  /**
   * A tensor of `shape` whose element k is t's element at flat (row-major) position offsets[k],
   * or 0 where offsets[k] < 0 (a read in explicit padding)
   */
  take(t: T, offsets: Int32Array, shape: number[]): T;
  /** a tensor of `shape` holding `data` (row-major), exact numbers */
  constant(shape: number[], data: Float64Array): T;
  /** batched matrix product [B, M, K] × [B, K, P] → [B, M, P] */
  matMul(a: T, b: T): T;
  /** [n, m] with ones where row = column */
  eye(n: number, m: number): T;
  /** [n] holding 0, 1, …, n − 1 */
  iota(n: number): T;
  /** a tensor of `shape` with every element `value` */
  fill(shape: number[], value: number): T;
  /**
   * Runs one formula node's evaluation so that the temporaries it made and does not return are
   * freed when it returns (tfjs: tf.tidy; without it, a contraction's product would stay on the
   * device next to its quotient until the whole claim is done)
   */
  scoped?<R extends { value: T }>(evaluate: () => R): R;
}

/**
 * What evaluating formulas reads: an algebra, the tensors by name, each integer tensor's values on
 * the host (for reads through them, `s[n, t[n]]`), and, for claims, the derivatives a world takes.
 */
export interface Evaluation<T> {
  algebra: Algebra<T>;
  env: Map<string, T>;
  integers?(name: string): ArrayLike<number>;
  gradient?: World<T>['gradient'];
  lossGradient?: World<T>['lossGradient'];
  next?: World<T>['next'];
}

/** A scalar formula of a world's symbols, with what checking it found (its index forms, bound sizes). */
export interface ScalarFormula {
  body: Expr;
  checked: CheckedFormulas;
}

/** A world: its tensors, the scenario's symbols, and derivatives of anything written on them. */
export interface World<T> {
  name: 'reference' | 'tfjs';
  algebra: Algebra<T>;
  /** symbol values of the trial's forward pass (every tensor and definition, and the constants) */
  env: Map<string, T>;
  /** an integer tensor's values, on the host */
  integers(name: string): ArrayLike<number>;
  /**
   * Jacobian of f with respect to `symbol`: f maps the environment recomputed from a changed
   * symbol to a flat vector of length `outputs`; the result has shape [outputs, ...shape of symbol].
   * `formula`, where f is a formula: f's output c as a scalar formula (its free indices fixed), for
   * a world that differentiates a formula otherwise than as a function (it may be ignored).
   */
  gradient(symbol: string, outputs: number, f: (env: Map<string, T>) => T, formula?: (output: number) => ScalarFormula): T;
  /**
   * ∂E/∂symbol (shape of the symbol), when the world holds it for the trial already (computed
   * once, shared by every claim), else null: the same numbers as gradient(symbol, 1, E).
   */
  lossGradient?(symbol: string): T | null;
  /** parameter `symbol` after the optimizer's steps (optimizer.steps, one by default) */
  next(symbol: string): T;
  /**
   * The largest |∂E/∂P| over the network's parameters: the magnitude absolute tolerances of
   * derivative claims are scaled by, so that "is zero" means zero next to the gradients around it.
   */
  gradientScale(): number;
}
