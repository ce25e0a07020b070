import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { firstLayerScenario } from '../../bench/firstLayer';
import { SeededRandom } from '../../src/foundation/random';
import { drawTrial } from '../../src/scenario/trialValues';
import { matMulPlainGradient, PLAIN_GRADIENT_MATMUL, SLOW_TRANSPOSED_PRODUCTS } from '../../src/tfjs/matMulTf';
import { forwardNetworkTf } from '../../src/tfjs/networkTf';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { useSpecBackend } from '../support/backend';

// The tfjs world's matrix product on a backend whose products with a transposed operand are slow:
// tfjs's own value and gradients, from plain products only.

useSpecBackend();

const normals = (rng: SeededRandom, shape: number[]): tf.Tensor => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, 1)), shape);

/** The matrix products `run` asks for (tfjs's BatchMatMul and the plain-gradient kernel), by whether either operand is transposed. */
function productsIn(run: () => void): { plain: number; transposed: number } {
  const engine = tf.engine();
  const real = engine.runKernel.bind(engine);
  const seen = { plain: 0, transposed: 0 };
  const spy = jest.spyOn(engine, 'runKernel').mockImplementation((...args: Parameters<typeof real>) => {
    const [kernel, , attrs] = args as [string, unknown, { transposeA?: boolean; transposeB?: boolean } | undefined];
    if (kernel === 'BatchMatMul' || kernel === PLAIN_GRADIENT_MATMUL) seen[attrs?.transposeA || attrs?.transposeB ? 'transposed' : 'plain']++;
    return real(...args);
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return seen;
}

/** f(a, b) = Σ w ⊙ (a·b): its value and both gradients, as plain numbers. */
function valueAndGradients(product: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: tf.Tensor, b: tf.Tensor, w: tf.Tensor): number[][] {
  return tf.tidy(() => {
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, product(x, y)));
    const [ga, gb] = tf.grads(f)([a, b]);
    return [f(a, b), ga, gb].map((t) => Array.from(t.dataSync()));
  });
}

const ownProduct = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-5 * scale);
}

describe('matMulPlainGradient', () => {
  it("gives tfjs's value and gradients for matrices and batches of any shape, with plain products only", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e6 }), (batch, m, k, p, seed) => {
        const rng = new SeededRandom(seed);
        const lead = batch === 0 ? [] : [batch];
        const [a, b, w] = [normals(rng, [...lead, m, k]), normals(rng, [...lead, k, p]), normals(rng, [...lead, m, p])];
        try {
          let plain: number[][] = [];
          const kernels = productsIn(() => (plain = valueAndGradients(matMulPlainGradient, a, b, w)));
          expect(kernels.transposed).toBe(0);
          // the value, the forward pass under tf.grads, and one product for each gradient
          expect(kernels.plain).toBe(4);
          const own = valueAndGradients(ownProduct, a, b, w);
          for (let i = 0; i < 3; i++) expectClose(plain[i], own[i]);
        } finally {
          tf.dispose([a, b, w]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('computes the gradient of an operand only when it is asked for', () => {
    const rng = new SeededRandom(8);
    const [a, b] = [normals(rng, [6, 30]), normals(rng, [30, 7])];
    for (const wrt of [0, 1]) {
      const kernels = productsIn(() => tf.tidy(() => void tf.grad((x: tf.Tensor) => tf.sum(wrt === 0 ? matMulPlainGradient(x, b) : matMulPlainGradient(a, x)))(wrt === 0 ? a : b).dataSync()));
      // the forward product and the one gradient asked for
      expect([wrt, kernels]).toEqual([wrt, { plain: 2, transposed: 0 }]);
    }
    tf.dispose([a, b]);
  });

  it('is seen through by a gradient of a gradient', () => {
    const rng = new SeededRandom(3);
    const [a, b] = [normals(rng, [5, 7]), normals(rng, [7, 4])];
    const secondOf = (product: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.grad((z: tf.Tensor) => tf.sum(tf.square(product(z, b))))(x))))(a).dataSync()));
    expectClose(secondOf(matMulPlainGradient), secondOf(ownProduct));
    // through a saved operand: ∂/∂a of Σ ∂/∂b
    const crossOf = (product: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.grad((y: tf.Tensor) => tf.sum(tf.square(product(x, y))))(b)))(a).dataSync()));
    expectClose(crossOf(matMulPlainGradient), crossOf(ownProduct));
    tf.dispose([a, b]);
  });
});

describe("the network's backward pass", () => {
  it("runs plain products only where transposed ones are slow, and tfjs's own gradient elsewhere", () => {
    const scenario = firstLayerScenario([30, 20, 5, 8], ['first-layer'], { activation: 'tanh' });
    const inputs = trialTensors(drawTrial(scenario, 0));
    const names = ['W1', 'W2'];
    const kernels = productsIn(() =>
      tf.tidy(() => {
        tf.grads((...ws: tf.Tensor[]) => forwardNetworkTf(scenario.model!, new Map([...inputs, ...names.map((n, i): [string, tf.Tensor] => [n, ws[i]])])).get('E')!)(names.map((n) => inputs.get(n)!));
      }),
    );
    disposeTrialTensors(inputs);
    // as many products as tfjs's own gradient: the two forward, ∂a1, ∂W2 and ∂W1 (no ∂x: x is data)
    expect(kernels.plain + kernels.transposed).toBe(5);
    if (SLOW_TRANSPOSED_PRODUCTS.includes(tf.getBackend())) expect(kernels.transposed).toBe(0);
    else expect(kernels.transposed).toBeGreaterThan(0);
  });
});
