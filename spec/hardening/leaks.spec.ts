import * as tf from '@tensorflow/tfjs';
import { join, relative } from 'node:path';
import { runScenario } from '../../src/claim/runScenario';
import { loadScenarioChecked } from '../../src/run/runFile';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { formatProblem } from '../../src/foundation/problem';
import type { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// Running claims leaves nothing behind: tfjs's tensor count is back where it was after every
// scenario (the runtime-error files included: their tfjs world throws inside tf.tidy), and the
// process's resident memory stays flat over 1000 claim evaluations.

const root = join(__dirname, '..', '..');
const files = findScenarioFiles([join(root, 'scenarios'), join(root, 'spec', 'fixtures', 'runtime')]);

function load(file: string): Scenario {
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return loaded.scenario;
}

useSpecBackend();

describe('tfjs tensors after runScenario', () => {
  let suiteBaseline: number;
  beforeAll(() => {
    suiteBaseline = tf.memory().numTensors;
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s', (name, file) => {
    const scenario = load(file);
    const before = tf.memory().numTensors;
    runScenario(scenario, { trials: 1 });
    expect({ name, numTensors: tf.memory().numTensors }).toEqual({ name, numTensors: before });
  });

  it('after all of them', () => {
    expect(tf.memory().numTensors).toBe(suiteBaseline);
  });
});

describe('resident memory over 1000 claim evaluations', () => {
  /** Generous: the heap may grow to its working size; a leak of the sides or tensors of every evaluation would pass it. */
  const BOUND_MB = 150;
  const scenario = load(join(root, 'spec', 'fixtures', 'runtime', 'log-of-negative.json'));
  const claim = (id: string, lhs: string, rhs: string, rel: Scenario['claims'][0]['rel'] = '==', where?: string, quantifier: 'all' | 'any' = 'all') => ({
    id, says: id, lhs, rel, rhs, ...(where ? { where } : {}), quantifier, expect: 'holds' as const,
  });
  const small: Scenario = {
    ...scenario,
    trials: 1,
    // one claim through each path (derivative, optimizer step, non-finite error), the rest cheap forward ones
    claims: [
      claim('output-error', 'grad(E, net2)[n,k]', '(o[n,k] - y[n,k]) / N'),
      claim('step', 'next(b2)[k]', 'b2[k] - 0.1 * grad(E, b2)[k]'),
      claim('nan', 'log(-o[n,k])', '0', '<'),
      claim('softmax', 'o[n,k]', 'exp(net2[n,k]) / sum(m, exp(net2[n,m]))'),
      claim('hidden', 'a1[n,j]', 'sigmoid(sum(i, x[n,i] * W1[i,j]) + b1[j])'),
      claim('output', 'net2[n,k]', 'sum(j, a1[n,j] * W2[j,k]) + b2[k]'),
      claim('loss', 'E', 'mean(n, -sum(k, y[n,k] * log(o[n,k])))'),
      claim('where', 'o[n,k]', '1', '<', 'k == 0 or x[n,0] > 0.5'),
      claim('any', 'y[n,k]', '1', '==', undefined, 'any'),
      claim('positive', 'o[n,k]', '0', '>'),
    ],
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  const rssMb = () => {
    gc?.();
    return process.memoryUsage().rss / 2 ** 20;
  };

  it(`grows by less than ${BOUND_MB} MB`, () => {
    const evaluations = (runs: number) => {
      let verdicts = '';
      for (let r = 0; r < runs; r++) verdicts = runScenario(small).map((c) => c.verdict).join(',');
      return verdicts;
    };
    const tensors = tf.memory().numTensors;
    evaluations(10); // warm-up: JIT, kernels, heap to its working size
    const warm = rssMb();
    const verdicts = evaluations(1000 / small.claims.length);
    const end = rssMb();
    expect({ verdicts, numTensors: tf.memory().numTensors, grewMb: end - warm < BOUND_MB ? 'within bound' : end - warm }).toEqual({
      verdicts: 'holds,holds,error,holds,holds,holds,holds,holds,holds,holds',
      numTensors: tensors,
      grewMb: 'within bound',
    });
  });
});
