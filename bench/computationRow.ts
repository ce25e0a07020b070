// The bench's computation row: a derivation that is not a network, at the size of a real layer.
// Batch normalisation in training mode over a [256, 512] batch (x, x̂, out and dout: 5.2e5 numbers
// per trial), the compact input gradient that CS231n derives as the claim (grad(E, x) is 1.3e5
// elements: checked at sampled elements and in random directions). Its verification is set next
// to one tfjs forward+backward of the same computation (the definitions, then the gradient of E by
// x, gamma and beta), measured in the same process.
import * as tf from '@tensorflow/tfjs';
import { runScenario } from '../src/claim/runScenario';
import { computationOf } from '../src/scenario/computationOf';
import { Scenario } from '../src/scenario/schema';
import { drawTrial } from '../src/scenario/trialValues';
import { forwardDefinitionsTf } from '../src/tfjs/definitionsTf';
import { disposeTrialTensors, trialTensors } from '../src/tfjs/trialTensors';
import { median } from './median';

export const COMPUTATION_SIZES = { B: 256, D: 512 };

export function batchNormScenario({ B, D } = COMPUTATION_SIZES): Scenario {
  return Scenario.parse({
    title: `batch norm ${B}×${D}`,
    seed: 1,
    computation: {
      sizes: { B, D },
      tensors: { x: { shape: ['B', 'D'], init: { normal: [12, 5] } }, gamma: { shape: ['D'] }, beta: { shape: ['D'] }, dout: { shape: ['B', 'D'] } },
      define: ['mu[d] = mean(n, x[n,d])', 'v[d] = mean(n, (x[n,d] - mu[d])^2)', 'xhat[n,d] = (x[n,d] - mu[d]) / sqrt(v[d] + 1e-5)', 'out[n,d] = gamma[d] * xhat[n,d] + beta[d]'],
      loss: 'sum(n, sum(d, out[n,d] * dout[n,d]))',
    },
    claims: [
      {
        id: 'dx-alt',
        says: '∂L/∂x = γ/(B·σ) (B·dout − Σ dout − x̂ Σ dout·x̂)',
        lhs: 'grad(E, x)[n,d]',
        rhs: 'gamma[d] / (B * sqrt(v[d] + 1e-5)) * (B * dout[n,d] - sum(m, dout[m,d]) - xhat[n,d] * sum(m, dout[m,d] * xhat[m,d]))',
        expect: 'holds',
      },
    ],
  });
}

export interface ComputationRow {
  computation: string;
  claim: string;
  numbers: number;
  fwdBwdMs: number;
  verifyMs: number;
  ratio: number;
}


/** Median times of `runs` verifications (1 trial) and of 5 tfjs forward+backward passes. */
export function computationRow(runs: number): ComputationRow {
  const scenario = batchNormScenario();
  const computation = computationOf(scenario);
  const values = drawTrial(scenario, 0);
  const given = trialTensors(values);
  const variables = ['x', 'gamma', 'beta'];
  const forwardBackward = () =>
    tf.tidy(() => {
      const grads = tf.grads((...vs: tf.Tensor[]) => {
        const env = new Map([...given, ...variables.map((n, i): [string, tf.Tensor] => [n, vs[i]])]);
        return forwardDefinitionsTf(computation, env, (name) => values.tensors.get(name)!.data).get('E')!;
      })(variables.map((n) => given.get(n)!));
      for (const g of grads) g.dataSync();
    });
  forwardBackward();
  const fwdBwdMs = median(
    Array.from({ length: 5 }, () => {
      const t0 = performance.now();
      forwardBackward();
      return performance.now() - t0;
    }),
  );
  disposeTrialTensors(given);
  const verifyMs = median(
    Array.from({ length: runs }, () => {
      const t0 = performance.now();
      const [result] = runScenario(scenario, { trials: 1 });
      if (result.verdict !== 'holds') throw new Error(`${scenario.title}: ${result.id} came out ${result.verdict}`);
      return performance.now() - t0;
    }),
  );
  return { computation: scenario.title, claim: scenario.claims[0].says, numbers: computation.numbers, fwdBwdMs, verifyMs, ratio: verifyMs / fwdBwdMs };
}
