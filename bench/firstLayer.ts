// The bench's scaling network: its scenario, its size and its tfjs pass, shared by bench/run.ts
// and the fresh-process child (bench/freshRssChild.ts), so both measure the same verification.
import * as tf from '@tensorflow/tfjs';
import { Scenario } from '../src/scenario/schema';
import { forwardNetworkTf } from '../src/tfjs/networkTf';
import type { EnvTf } from '../src/tfjs/trialTensors';

/** [inputs, hidden, outputs, batch] */
export type Network = [number, number, number, number];

export type Activation = 'linear' | 'sigmoid' | 'tanh' | 'relu';

/** The article's corrected first-layer claim, for a linear hidden layer. */
export const FIRST_LAYER_RHS = 'mean(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))';

/**
 * The corrected first-layer claim on a 2-layer network without bias (the hidden layer's
 * activation `activation`, linear by default; `rhs` the claim's formula, FIRST_LAYER_RHS by
 * default, which holds for a linear hidden layer only).
 */
export function firstLayerScenario(
  [inputs, hidden, outputs, batch]: Network,
  claimIds: readonly string[] = ['first-layer'],
  { activation = 'linear', rhs = FIRST_LAYER_RHS }: { activation?: Activation; rhs?: string } = {},
): Scenario {
  return Scenario.parse({
    title: `${inputs}-${hidden}-${outputs}${activation === 'linear' ? '' : ` ${activation}`}, batch ${batch}`,
    seed: 1,
    model: {
      inputs,
      layers: [
        { units: hidden, activation, bias: false, init: { normal: [0, 0.05] } },
        { units: outputs, activation: 'linear', bias: false, init: { normal: [0, 0.05] } },
      ],
      loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
    },
    data: { batch, labels: { random: true } },
    // one claim normally; several ids repeat it (does memory grow with the claims?)
    claims: claimIds.map((id) => ({
      id,
      says: '∂E/∂w_ij = mean_n x_ni φ′(net_nj) Σ_k (o_nk − y_nk) w_jk',
      lhs: 'grad(E, W1)[i,j]',
      rhs,
      expect: 'holds',
    })),
  });
}

export const parameterCount = ([d0, d1, d2]: Network): number => d0 * d1 + d1 * d2;

/** float64 bytes of parameters plus activations (x, net1, a1, net2, a2, o, y): the "model" */
export const modelBytes = ([d0, d1, d2, batch]: Network): number => 8 * (parameterCount([d0, d1, d2, batch]) + batch * (d0 + 2 * d1 + 4 * d2));

/**
 * One tfjs forward+backward pass as a tfjs user writes the network: tf.matMul, the activation,
 * tf.losses.softmaxCrossEntropy, tf.grads with tfjs's own gradients; ∂E/∂(every parameter) read
 * back to the host. The bench's unit of time.
 */
export function forwardBackward(scenario: Scenario, inputs: EnvTf): void {
  const model = scenario.model!;
  const activation = model.layers[0].activation;
  const x = inputs.get('x')!;
  tf.tidy(() => {
    const grads = tf.grads((W1: tf.Tensor, W2: tf.Tensor) => {
      const net1 = tf.matMul(x as tf.Tensor2D, W1 as tf.Tensor2D);
      const a1 = activation === 'linear' ? net1 : tf[activation](net1);
      return tf.losses.softmaxCrossEntropy(inputs.get('y')!, tf.matMul(a1 as tf.Tensor2D, W2 as tf.Tensor2D));
    })([inputs.get('W1')!, inputs.get('W2')!]);
    for (const g of grads) g.dataSync();
  });
}

/**
 * The same pass through derivcheck's tfjs world (networkTf.ts), whose products on wasm have a
 * gradient of plain products (src/tfjs/matMulTf.ts): what the tfjs side of a verification pays for it.
 */
export function worldForwardBackward(scenario: Scenario, inputs: EnvTf): void {
  const names = ['W1', 'W2'];
  tf.tidy(() => {
    const grads = tf.grads((...ws: tf.Tensor[]) => forwardNetworkTf(scenario.model!, new Map([...inputs, ...names.map((n, i): [string, tf.Tensor] => [n, ws[i]])])).get('E')!)(names.map((n) => inputs.get(n)!));
    for (const g of grads) g.dataSync();
  });
}
