import { z } from 'zod';

// The scenario file format of DESIGN §1, as one zod schema. The JSON Schema in
// schema/scenario.schema.json is generated from this (npm run schema).

/** Limits that keep a typo from allocating gigabytes; documented in docs/scenario-files.md. */
export const LIMITS = {
  units: 4096,
  layers: 16,
  batch: 4096,
  trials: 1000,
  /** parameters plus activations of one trial, counted in numbers */
  numbers: 5_000_000,
  /** definitions of one computation */
  definitions: 500,
  /** optimizer steps of next(P): each is one whole gradient in the reference world */
  steps: 100,
} as const;

type Nested = number | Nested[];
const nestedNumbers: z.ZodType<Nested> = z.lazy(() =>
  z.union([z.number(), z.array(nestedNumbers)], { error: 'expected a finite number or a nested array of finite numbers' }),
);

const TENSOR_SPEC_KEYS = ['constant', 'uniform', 'normal', 'values'];

/** A union error names the one branch the input meant (by its key) instead of "Invalid input". */
function tensorSpecError(issue: { input?: unknown; code?: string; errors?: { path: PropertyKey[]; message: string }[][] }): string {
  const expected = 'expected a tensor spec: {"constant": c}, {"uniform": [lo, hi]}, {"normal": [mean, std]} or {"values": [...]}';
  const input = issue.input;
  if (issue.code !== 'invalid_union' || typeof input !== 'object' || input === null || Array.isArray(input)) return expected;
  const keys = Object.keys(input);
  const branch = TENSOR_SPEC_KEYS.findIndex((k) => keys.length === 1 && keys[0] === k);
  const inner = branch >= 0 ? issue.errors?.[branch]?.[0] : undefined;
  if (!inner) return `${expected}; got keys ${keys.map((k) => JSON.stringify(k)).join(', ') || 'none'}`;
  const where = inner.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${where.replace(/^\./, '')}: ${inner.message}`;
}

export const TensorSpec = z.union([
  z.strictObject({ constant: z.number().describe('every element equals this number') }),
  z.strictObject({
    uniform: z.tuple([z.number(), z.number()]).describe('[lo, hi]: drawn uniformly from [lo, hi)'),
  }),
  z.strictObject({ normal: z.tuple([z.number(), z.number().nonnegative()]).describe('[mean, std]') }),
  z.strictObject({ values: z.array(nestedNumbers).describe('exact numbers as a nested array of the tensor shape') }),
], { error: tensorSpecError }).describe('How a tensor is filled: constant, uniform, normal or exact values');
export type TensorSpec = z.infer<typeof TensorSpec>;

export const Activation = z.enum(['linear', 'sigmoid', 'tanh', 'relu']);
export type Activation = z.infer<typeof Activation>;

export const Layer = z.strictObject({
  units: z.int().min(1).max(LIMITS.units),
  activation: Activation.default('linear'),
  bias: z.boolean().default(true),
  init: TensorSpec.default({ uniform: [-0.5, 0.5] }).describe('kernel W, shape [inputs, units]'),
  biasInit: TensorSpec.default({ uniform: [-0.1, 0.1] }).describe('bias b, shape [units]'),
});
export type Layer = z.infer<typeof Layer>;

export const LossType = z.enum(['softmax-cross-entropy', 'mse', 'sigmoid-cross-entropy']);
export type LossType = z.infer<typeof LossType>;

export const Loss = z.strictObject({
  type: LossType,
  reduction: z.enum(['mean', 'sum']).default('mean').describe('mean divides the summed loss by the batch size N'),
  half: z.boolean().default(false).describe('mse only: ½Σ(t−o)²'),
});
export type Loss = z.infer<typeof Loss>;

export const Model = z.strictObject({
  inputs: z.int().min(1).max(LIMITS.units),
  layers: z.array(Layer).min(1).max(LIMITS.layers),
  loss: Loss,
});
export type Model = z.infer<typeof Model>;

export const Data = z.strictObject({
  batch: z.int().min(1).max(LIMITS.batch),
  x: TensorSpec.default({ uniform: [0, 1] }),
  labels: z
    .union([z.array(z.int().nonnegative()), z.strictObject({ random: z.literal(true) })], {
      error: 'expected an array of class indices or {"random": true}',
    })
    .optional()
    .describe('class index per batch row, or {"random": true}'),
  targets: TensorSpec.optional().describe('regression targets [batch, outputs], instead of labels'),
});
export type Data = z.infer<typeof Data>;

// The optimizers of tf.train that next(P) can take, each hyper-parameter defaulting to what
// tf.train.* defaults to (tfjs-core 4.22 optimizer_constructors; epsilon: the float32 backends'
// epsilon(), 1e-7). The update rules: src/reference/optimizers64.ts, docs/optimizers.md.
const learningRate = z.number().positive();
const steps = z
  .int()
  .min(1)
  .max(LIMITS.steps)
  .default(1)
  .describe('next(P) is P after this many steps, each taken at the parameters the step before left');
const epsilon = z.number().nonnegative().default(1e-7).describe('tfjs default: the float32 backend epsilon, 1e-7');
/** a decay rate of Adam: 1 − β^t, which the bias correction divides by, must not be 0 */
const beta = (name: string, fallback: number) => z.number().min(0).lt(1, `must be below 1: the bias correction divides by 1 − ${name}^t`).default(fallback);

export const Optimizer = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('sgd'), learningRate, steps }),
    z.strictObject({
      type: z.literal('momentum'),
      learningRate,
      momentum: z.number().nonnegative().describe('no default in tfjs'),
      nesterov: z.boolean().default(false),
      steps,
    }),
    z.strictObject({
      type: z.literal('rmsprop'),
      learningRate,
      decay: z.number().min(0).max(1).default(0.9).describe('PyTorch calls it alpha, Keras rho'),
      momentum: z.number().nonnegative().default(0),
      epsilon,
      centered: z.boolean().default(false),
      steps,
    }),
    z.strictObject({ type: z.literal('adam'), learningRate: learningRate.default(0.001), beta1: beta('beta1', 0.9), beta2: beta('beta2', 0.999), epsilon, steps }),
  ],
  { error: 'Invalid option: expected one of "sgd"|"momentum"|"rmsprop"|"adam"' },
).describe('The optimizer next(P) steps with (tf.train.*)');
export type Optimizer = z.infer<typeof Optimizer>;

export const Tolerance = z.strictObject({
  rtol: z.number().nonnegative().optional(),
  atol: z.number().nonnegative().optional(),
});
export type Tolerance = z.infer<typeof Tolerance>;

/** at-kink: every element the claim selects sits at a kink (not differentiable there) in every trial, so nothing was judged */
export const Verdict = z.enum(['holds', 'refuted', 'disputed', 'at-kink']);
export type Verdict = z.infer<typeof Verdict>;

export const Claim = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits and - _ . : only'),
  says: z.string().describe('the statement as the source words it'),
  lhs: z.string().min(1),
  rel: z.enum(['==', '!=', '<', '<=', '>', '>=']).default('=='),
  rhs: z.string().min(1),
  where: z.string().min(1).optional().describe('mask over the free indices'),
  quantifier: z.enum(['all', 'any']).default('all'),
  expect: Verdict,
  tolerance: Tolerance.optional(),
  note: z.string().optional(),
});
export type Claim = z.infer<typeof Claim>;

/**
 * What a scenario expects of the built-in gradient agreement check (tfjs's own ∂E/∂S against the
 * reference's, for every tensor and intermediate): that it agrees, or that tfjs's gradient departs.
 */
export const AgreementExpectation = z.enum(['agrees', 'disputed']);
export type AgreementExpectation = z.infer<typeof AgreementExpectation>;

const constantName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a constant name is an identifier');
const identifier = (what: string) => z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, `a ${what} name is an identifier`);

/** One axis of a computation's tensor: a whole number, or the name of a size. */
export const Dimension = z.union([z.int().min(1).max(LIMITS.numbers), identifier('size')], { error: 'expected a whole number ≥ 1 or the name of a size' });

export const RealTensor = z.strictObject({
  shape: z.array(Dimension).max(8).describe('axes: whole numbers or names of sizes; [] for a number'),
  init: TensorSpec.default({ normal: [0, 1] }).describe('how its numbers are drawn each trial (default normal [0, 1])'),
});
export type RealTensor = z.infer<typeof RealTensor>;

export const IntegerTensor = z.strictObject({
  shape: z.array(Dimension).max(8).describe('axes: whole numbers or names of sizes'),
  classes: z.int().min(1).max(LIMITS.numbers).describe('its values run over 0 … classes − 1, drawn uniformly each trial'),
  values: z.array(nestedNumbers).optional().describe('exact values instead of drawn ones'),
});
export type IntegerTensor = z.infer<typeof IntegerTensor>;

/** A union error says which of the two a tensor meant, by whether it has `classes`. */
function tensorDeclarationError(issue: { input?: unknown; errors?: { path: PropertyKey[]; message: string }[][] }): string {
  const input = issue.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'expected a tensor: {"shape": [...], "init": spec} (real numbers) or {"shape": [...], "classes": K} (integers)';
  const branch = 'classes' in input ? 0 : 1;
  const inner = issue.errors?.[branch]?.[0];
  if (!inner) return 'expected a tensor: {"shape": [...], "init": spec} or {"shape": [...], "classes": K}';
  const where = inner.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return where === '' ? inner.message : `${where.replace(/^\./, '')}: ${inner.message}`;
}

export const TensorDeclaration = z.union([IntegerTensor, RealTensor], { error: tensorDeclarationError });
export type TensorDeclaration = z.infer<typeof TensorDeclaration>;

export const Computation = z.strictObject({
  sizes: z.record(identifier('size'), z.int().min(1).max(LIMITS.numbers)).default({}).describe('names for whole numbers, usable in shapes and formulas'),
  tensors: z.record(identifier('tensor'), TensorDeclaration).describe('real tensors (the variables) and integer tensors (data)'),
  define: z.array(z.string().min(1)).max(LIMITS.definitions).default([]).describe('name[i, j] = formula, in order; each may use the tensors, sizes and earlier definitions'),
  loss: z.string().min(1).describe('the scalar formula that is E'),
});
export type Computation = z.infer<typeof Computation>;

export const Scenario = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().min(1),
  source: z.string().optional(),
  seed: z.int().min(0).max(2 ** 31 - 1).default(0),
  trials: z.int().min(1).max(LIMITS.trials).default(1),
  model: Model.optional().describe('a network (DESIGN §1); give model and data, or computation'),
  data: Data.optional(),
  computation: Computation.optional().describe('a computation written as formulas (DESIGN §6), instead of model and data'),
  optimizer: Optimizer.optional(),
  agreement: AgreementExpectation.default('agrees').describe(
    "what the built-in gradient agreement check (tfjs autodiff against the float64 reference, for every tensor and intermediate) must find: agrees, or disputed where tfjs's own gradient is known to depart",
  ),
  constants: z.record(constantName, nestedNumbers).default({}),
  claims: z.array(Claim).default([]),
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
