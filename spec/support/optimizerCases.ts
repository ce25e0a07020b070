import { Optimizer } from '../../src/scenario/schema';

// Small numbers for checking the update rules by hand, shared by the reference world's and the
// tfjs world's specs: E(P) = ½ Σ_i c_i·P_i² with c = [2, 0.5], so ∂E/∂P = c·P, from P = [1, −2]
// (first gradient [2, −1]). The positions after steps 1, 2, 3 were computed apart from derivcheck,
// by a plain float64 loop that writes out each tfjs rule (docs/optimizers.md); where PyTorch's
// optimizer computes the same rule (SGD, momentum, Nesterov, Adam with eps 1e-7, RMSprop with
// alpha 0.9 and eps 0, centered too) torch.optim gave the very same numbers.

export const START = [1, -2];
export const CURVATURE = [2, 0.5];

export interface OptimizerCase {
  name: string;
  /** the scenario's optimizer, before defaults */
  optimizer: Record<string, unknown>;
  /** P after 1, 2 and 3 steps */
  after: [number[], number[], number[]];
  /** step 1 by hand, to read next to the numbers */
  firstStep: string;
}

export const OPTIMIZER_CASES: OptimizerCase[] = [
  {
    name: 'sgd',
    optimizer: { type: 'sgd', learningRate: 0.1 },
    after: [[0.8, -1.9], [0.64, -1.805], [0.512, -1.71475]],
    firstStep: 'P − 0.1·[2, −1]',
  },
  {
    name: 'momentum',
    optimizer: { type: 'momentum', learningRate: 0.1, momentum: 0.9 },
    after: [[0.8, -1.9], [0.45999999999999996, -1.7149999999999999], [0.06199999999999989, -1.4627499999999998]],
    firstStep: 'a = g, so P − 0.1·[2, −1], as SGD',
  },
  {
    name: 'momentum, Nesterov',
    optimizer: { type: 'momentum', learningRate: 0.1, momentum: 0.9, nesterov: true },
    after: [[0.62, -1.81], [0.2224, -1.55705], [-0.108352, -1.2629252499999999]],
    firstStep: 'P − 0.1·(g + 0.9·g) = P − 0.19·[2, −1]',
  },
  {
    name: 'rmsprop (tfjs defaults: decay 0.9, epsilon 1e-7)',
    optimizer: { type: 'rmsprop', learningRate: 0.01 },
    after: [[0.9683772273511625, -1.9683772392096925], [0.9457880301745026, -1.9456096584871543], [0.9270531041033643, -1.9266337072369217]],
    firstStep: 'P − 0.01·g/√(0.1·g² + 1e-7) ≈ P − 0.0316·sign(g)',
  },
  {
    name: 'rmsprop, centered, momentum 0.5',
    optimizer: { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true },
    after: [[0.9666666620370361, -1.9666666481481327], [0.9249234668799461, -1.9247134497987557], [0.8824183516513603, -1.8816601801980728]],
    firstStep: 'P − 0.01·g/√(0.1·g² − (0.01·g² + 1e-7)) ≈ P − 0.0333·sign(g)',
  },
  {
    name: 'adam (tfjs defaults: beta1 0.9, beta2 0.999, epsilon 1e-7)',
    optimizer: { type: 'adam', learningRate: 0.1 },
    after: [[0.9000000049999998, -1.900000009999999], [0.8004122378766997, -1.8001665058259757], [0.7015862869714917, -1.7006234219067622]],
    firstStep: 'm̂ = g, v̂ = g²: P − 0.1·g/(|g| + 1e-7)',
  },
];

/** The case's optimizer with `steps`, defaults filled in as a scenario file's would be. */
export function optimizerOf(c: OptimizerCase, steps: number): Optimizer {
  return Optimizer.parse({ ...c.optimizer, steps });
}
