// What the formula evaluator needs from a world's tensors. The reference world implements it on
// Float64Array (carrying an error bound), the tfjs world on tf.Tensor; the evaluator that reads a
// formula is written once over this interface, so one formula text drives both worlds.

export type ElementwiseBinary = '+' | '-' | '*' | '/' | '^' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';
export type ElementwiseUnary = 'neg' | 'not' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sigmoid' | 'tanh' | 'relu' | 'step';

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
  binary(op: ElementwiseBinary, a: T, b: T, reuseA?: boolean): T;
  unary(op: ElementwiseUnary, t: T): T;
  sum(t: T, axis: number): T;
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

/** A world: its tensors, the network's symbols, and derivatives of anything written on them. */
export interface World<T> {
  name: 'reference' | 'tfjs';
  algebra: Algebra<T>;
  /** symbol values of the trial's forward pass (network symbols and constants) */
  env: Map<string, T>;
  /**
   * Jacobian of f with respect to `symbol`: f maps the environment recomputed from a changed
   * symbol to a flat vector of length `outputs`; the result has shape [outputs, ...shape of symbol].
   */
  gradient(symbol: string, outputs: number, f: (env: Map<string, T>) => T): T;
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
