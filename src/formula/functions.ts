import * as tf from '@tensorflow/tfjs';
import { pick } from '../foundation/branchless';

// The formula language's operations as data. ELEMENTWISE has one entry per elementwise operation
// (the operators and the elementwise functions): its float64 value, its slopes (to carry the
// reference's error bound), its tfjs lowering and its kink. FUNCTIONS names what a formula may
// call and the role each call plays. The parser, the checker, both algebras and the reference's
// kink watch all read these two tables; adding a function is adding an entry here.

/**
 * What the reference watches for a kink or jump (src/reference/kinks.ts): the sign of the input
 * (relu, abs at 0), the 0/1 result (comparisons), or the sign of a − b (max and min at a = b).
 */
export type KinkWatch = 'input' | 'result' | 'difference';

export interface ElementwiseEntry {
  arity: 1 | 2;
  /** the float64 value (unary: b is unused) */
  value(a: number, b: number): number;
  /** |∂f/∂a| (which = 0) or |∂f/∂b| (which = 1) at (a, b), to carry an error bound through f; absent: the result is exact (0/1) */
  slope?(a: number, b: number, which: 0 | 1): number;
  /** the tfjs lowering: differentiable where the maths is, a zero gradient for 0/1 results */
  tf(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
  /** where the operation has a kink or a jump, what crosses it */
  kink?: KinkWatch;
}

/**
 * 1 / (1 + e^−z) for z ≥ 0, e^z / (1 + e^z) below (no overflow either way): e^−|z| is each side's
 * exponential, and the numerator is picked without a branch (the sign of a layer's inputs has no
 * pattern; src/foundation/branchless.ts).
 */
const sigmoid = (z: number): number => {
  const e = Math.exp(-Math.abs(z));
  return pick(z >= 0, 1, e) / (1 + e);
};

type CustomGradient = Parameters<typeof tf.customGrad>[0];
/** A 0/1 result whose gradient is zero: tfjs registers no gradient for comparisons, and there is none to give. */
const flat = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
  tf.customGrad(((a: tf.Tensor, b: tf.Tensor) => ({ value: tf.cast(f(a, b), 'float32'), gradFunc: () => [tf.zerosLike(a), tf.zerosLike(b)] })) as unknown as CustomGradient);
const flat1 = (f: (a: tf.Tensor) => tf.Tensor) =>
  tf.customGrad(((a: tf.Tensor) => ({ value: tf.cast(f(a), 'float32'), gradFunc: () => [tf.zerosLike(a)] })) as unknown as CustomGradient);
const truth = (t: tf.Tensor) => tf.notEqual(t, 0);

const comparison = (value: (a: number, b: number) => boolean, lower: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): ElementwiseEntry => {
  const lowered = flat(lower);
  return { arity: 2, value: (a, b) => +value(a, b), tf: (a, b) => lowered(a, b), kink: 'result' };
};
const logical = (value: (a: boolean, b: boolean) => boolean, lower: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): ElementwiseEntry => {
  const lowered = flat((a, b) => lower(truth(a), truth(b)));
  return { arity: 2, value: (a, b) => +value(a !== 0, b !== 0), tf: (a, b) => lowered(a, b) };
};
const notLowered = flat1((a) => tf.equal(a, 0));
/** tf.maximum's and tf.minimum's gradients do not sum over broadcast axes (tfjs 4.22): both operands go in at the result's shape. */
const broadcastFirst = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => {
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  return f(tf.broadcastTo(a, shape), tf.broadcastTo(b, shape));
};

export const ELEMENTWISE = {
  // operators
  '+': { arity: 2, value: (a, b) => a + b, slope: () => 1, tf: tf.add },
  '-': { arity: 2, value: (a, b) => a - b, slope: () => 1, tf: tf.sub },
  '*': { arity: 2, value: (a, b) => a * b, slope: (a, b, which) => Math.abs(which === 0 ? b : a), tf: tf.mul },
  '/': { arity: 2, value: (a, b) => a / b, slope: (a, b, which) => (which === 0 ? 1 / Math.abs(b) : Math.abs(a / b) / Math.abs(b)), tf: tf.div },
  '^': {
    arity: 2,
    value: (a, b) => a ** b,
    // an exact exponent (error 0) contributes nothing, also where log|a| is not finite
    slope: (a, b, which) => (which === 0 ? Math.abs(b * a ** (b - 1)) : Math.abs(a ** b * Math.log(Math.abs(a)))),
    tf: tf.pow,
  },
  '==': comparison((a, b) => a === b, tf.equal),
  '!=': comparison((a, b) => a !== b, tf.notEqual),
  '<': comparison((a, b) => a < b, tf.less),
  '<=': comparison((a, b) => a <= b, tf.lessEqual),
  '>': comparison((a, b) => a > b, tf.greater),
  '>=': comparison((a, b) => a >= b, tf.greaterEqual),
  and: logical((a, b) => a && b, tf.logicalAnd),
  or: logical((a, b) => a || b, tf.logicalOr),
  neg: { arity: 1, value: (a) => -a, slope: () => 1, tf: tf.neg },
  not: { arity: 1, value: (a) => +(a === 0), tf: (a) => notLowered(a), kink: 'input' },
  // functions
  exp: { arity: 1, value: Math.exp, slope: (a) => Math.exp(a), tf: tf.exp },
  log: { arity: 1, value: Math.log, slope: (a) => 1 / Math.abs(a), tf: tf.log },
  log1p: { arity: 1, value: Math.log1p, slope: (a) => 1 / Math.abs(1 + a), tf: tf.log1p },
  sqrt: { arity: 1, value: Math.sqrt, slope: (a) => 0.5 / Math.sqrt(a), tf: tf.sqrt },
  abs: { arity: 1, value: Math.abs, slope: () => 1, tf: tf.abs, kink: 'input' },
  sigmoid: { arity: 1, value: sigmoid, slope: (a) => sigmoid(a) * (1 - sigmoid(a)), tf: tf.sigmoid },
  tanh: { arity: 1, value: Math.tanh, slope: (a) => 1 - Math.tanh(a) ** 2, tf: tf.tanh },
  relu: { arity: 1, value: (a) => pick(a > 0, a, 0), slope: (a) => +(a > 0), tf: tf.relu, kink: 'input' },
  // log(1 + e^x) without overflow, as max(x, 0) + log1p(e^−|x|): smooth, so no kink is watched
  softplus: { arity: 1, value: (a) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a))), slope: (a) => sigmoid(a), tf: tf.softplus },
  // step(z) = 1 if z > 0: its derivative is zero everywhere it exists (sign∘relu: tfjs has a gradient for both)
  step: { arity: 1, value: (a) => +(a > 0), tf: (a) => tf.sign(tf.relu(a)), kink: 'input' },
  max: { arity: 2, value: (a, b) => pick(a >= b, a, b), slope: (a, b, which) => +((a >= b) === (which === 0)), tf: broadcastFirst(tf.maximum), kink: 'difference' },
  min: { arity: 2, value: (a, b) => pick(a <= b, a, b), slope: (a, b, which) => +((a <= b) === (which === 0)), tf: broadcastFirst(tf.minimum), kink: 'difference' },
  // a·log(b), 0 where a = 0 (0·log 0 = 0), as a cross-entropy needs; where a = 0 the log reads 1
  // instead of b, so b = 0 there gives neither NaN nor a NaN gradient
  xlogy: {
    arity: 2,
    value: (a, b) => (a === 0 ? 0 : a * Math.log(b)),
    slope: (a, b, which) => (a === 0 ? 0 : which === 0 ? Math.abs(Math.log(b)) : Math.abs(a / b)),
    tf: (a, b) => {
      // 1 where a = 0, with a zero gradient (tf.equal has none, so it may not sit on a's path)
      const zero = notLowered(a);
      return tf.mul(a, tf.log(tf.add(tf.mul(b, tf.sub(1, zero)), zero)));
    },
  },
} satisfies Record<string, ElementwiseEntry>;

export type ElementwiseName = keyof typeof ELEMENTWISE;
export type UnaryName = { [K in ElementwiseName]: (typeof ELEMENTWISE)[K]['arity'] extends 1 ? K : never }[ElementwiseName];
export type BinaryName = Exclude<ElementwiseName, UnaryName>;

/** The entry of an elementwise operation (typed access for the algebras). */
export const elementwise = (name: ElementwiseName): ElementwiseEntry => ELEMENTWISE[name];

/** The role a call plays; the checker and the evaluator branch on it. */
export type FunctionRole =
  /** one number (or two) in, one out, per element: ELEMENTWISE[name] */
  | 'elementwise'
  /** sum/mean/maxover/minover(k, e): binds the index variable k over e and reduces e along it */
  | 'reduce'
  /** delta(a, b): 1 where two index expressions are equal, else 0 */
  | 'delta'
  /** ind(c): a condition used as a number, 1 where it holds, else 0 */
  | 'indicator'
  /** pad(T, p0, …): T with p_a zeros before and after each axis a; only indexed */
  | 'pad'
  /** grad(F, Q): derivative of F with respect to the symbol Q; shape of Q */
  | 'grad'
  /** next(P): parameter P after the optimizer's steps; shape of P */
  | 'next';

export type Reduction = 'sum' | 'mean' | 'max' | 'min';

export interface FunctionInfo {
  role: FunctionRole;
  /** how many arguments it takes; `pad` takes a tensor and one amount per axis (arity: the fewest) */
  arity: number;
  /** the first argument is the index variable the call binds (stored as a `symbol` node) */
  bindsIndex: boolean;
  /** for role `reduce` */
  reduction?: Reduction;
  /** a line for the documentation and for messages */
  summary: string;
}

const elementwiseCall = (summary: string, arity = 1): FunctionInfo => ({ role: 'elementwise', arity, bindsIndex: false, summary });
const reduce = (reduction: Reduction, summary: string): FunctionInfo => ({ role: 'reduce', arity: 2, bindsIndex: true, reduction, summary });

export const FUNCTIONS: ReadonlyMap<string, FunctionInfo> = new Map<string, FunctionInfo>([
  ['exp', elementwiseCall('e^x')],
  ['log', elementwiseCall('natural logarithm')],
  ['log1p', elementwiseCall('log(1 + x), precise for small x')],
  ['sqrt', elementwiseCall('square root')],
  ['abs', elementwiseCall('|x|')],
  ['sigmoid', elementwiseCall('1/(1 + e^−x)')],
  ['tanh', elementwiseCall('hyperbolic tangent')],
  ['relu', elementwiseCall('max(x, 0)')],
  ['softplus', elementwiseCall('log(1 + e^x)')],
  ['step', elementwiseCall('1 where x > 0, else 0')],
  ['max', elementwiseCall('the larger of a and b, per element', 2)],
  ['min', elementwiseCall('the smaller of a and b, per element', 2)],
  ['xlogy', elementwiseCall('a·log(b), 0 where a = 0', 2)],
  ['sum', reduce('sum', 'Σ over the index k of e')],
  ['mean', reduce('mean', 'sum(k, e) divided by the range of k')],
  ['maxover', reduce('max', 'the largest e over the index k')],
  ['minover', reduce('min', 'the smallest e over the index k')],
  ['delta', { role: 'delta', arity: 2, bindsIndex: false, summary: 'Kronecker delta of two index expressions' }],
  ['ind', { role: 'indicator', arity: 1, bindsIndex: false, summary: 'a condition as a number: 1 where it holds, else 0' }],
  ['pad', { role: 'pad', arity: 2, bindsIndex: false, summary: 'T with zeros around each axis' }],
  ['grad', { role: 'grad', arity: 2, bindsIndex: false, summary: 'derivative of F with respect to Q' }],
  ['next', { role: 'next', arity: 1, bindsIndex: false, summary: 'parameter P after the optimizer' }],
]);

/** The elementwise entry a call names, for calls whose role is elementwise. */
export function elementwiseOf(name: string): ElementwiseName {
  if (!(name in ELEMENTWISE) || FUNCTIONS.get(name)?.role !== 'elementwise') throw new Error(`${name} is not an elementwise function`);
  return name as ElementwiseName;
}
