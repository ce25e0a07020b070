// The first-layer claim grad(E, W1)[i,j] == … written as people write it: factors in other
// orders, 1/N inside or outside the sum, nested or flat sums, the activation's derivative written
// out, and ∂E/∂net2 as grad(E, net2) instead of (o − y)/N. Each holds for a 2-layer network
// without bias, softmax cross-entropy with mean reduction, whatever the hidden activation φ:
//   ∂E/∂W1[i,j] = mean_n x[n,i] · φ′(net1[n,j]) · Σ_k (o[n,k] − y[n,k]) · W2[j,k].
// The bench times each in a fresh process (bench/variantTable.ts); a spec checks that every one
// equals the plain evaluation (spec/formula/plannedEvaluation.spec.ts).
import type { Activation } from './firstLayer';

/** φ′(net1[n,j]) written out from the network's symbols; none for a linear layer. */
export const ACTIVATION_DERIVATIVES: Record<Activation, string | null> = {
  linear: null,
  sigmoid: 'a1[n,j] * (1 - a1[n,j])',
  tanh: '(1 - a1[n,j]^2)',
  relu: 'step(net1[n,j])',
};

export const ACTIVATIONS = Object.keys(ACTIVATION_DERIVATIVES) as Activation[];

export interface FormulaVariant {
  name: string;
  /** the rhs, with ⟨φ′⟩ where the activation's derivative stands as a factor */
  template: string;
  /** takes grad(E, net2) inside the rhs */
  usesGrad: boolean;
}

const variant = (name: string, template: string): FormulaVariant => ({ name, template, usesGrad: template.includes('grad(') });

export const FORMULA_VARIANTS: FormulaVariant[] = [
  variant('as derived', 'mean(n, x[n,i] * ⟨φ′⟩ * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))'),
  variant('factors permuted', 'mean(n, sum(k, W2[j,k] * (o[n,k] - y[n,k])) * ⟨φ′⟩ * x[n,i])'),
  variant('1/N outside', 'sum(n, x[n,i] * ⟨φ′⟩ * sum(k, (o[n,k] - y[n,k]) * W2[j,k])) / N'),
  variant('1/N in front', '1 / N * sum(n, ⟨φ′⟩ * x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))'),
  variant('1/N inside', 'sum(n, x[n,i] * ⟨φ′⟩ * sum(k, (o[n,k] - y[n,k]) / N * W2[j,k]))'),
  variant('flat sums', 'mean(n, sum(k, x[n,i] * ⟨φ′⟩ * (o[n,k] - y[n,k]) * W2[j,k]))'),
  variant('Σk outermost', 'sum(k, W2[j,k] * mean(n, x[n,i] * ⟨φ′⟩ * (o[n,k] - y[n,k])))'),
  variant('grad(E, net2)', 'sum(n, x[n,i] * ⟨φ′⟩ * sum(k, grad(E, net2)[n,k] * W2[j,k]))'),
  variant('grad(E, net2), flat', 'sum(n, sum(k, grad(E, net2)[n,k] * W2[j,k] * ⟨φ′⟩ * x[n,i]))'),
];

/** The variant's rhs for a hidden layer with `activation` (a linear layer has no φ′ factor). */
export function variantRhs(v: FormulaVariant, activation: Activation): string {
  const derivative = ACTIVATION_DERIVATIVES[activation];
  return derivative === null ? v.template.replace(/ \* ⟨φ′⟩|⟨φ′⟩ \* /, '') : v.template.replace('⟨φ′⟩', derivative);
}

/**
 * The first-layer claim's rhs as a derivative of the loss written out (softmax cross-entropy,
 * mean over the batch): grad(F, W1) with F a formula other than E, taken at scale
 * (docs/at-scale.md). The same for every activation.
 */
export const FORMULA_GRADIENT_RHS = 'grad(mean(n, -sum(k, y[n,k] * log(o[n,k]))), W1)[i,j]';
