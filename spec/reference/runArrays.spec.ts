// A finite-difference run over many outputs at once (a slope run through an activation, a
// column run) takes its large arrays from the active pool and gives them back when it ends:
// Ridders' tableau, the copies of f's values, the moved pass's tensors. A slope run over three
// chunks then takes about as many arrays as a run over one, not three times as many: the later
// chunks reuse the first's (a chunk whose tableau needs more rows than the first takes a few more).

import { ArrayPool, withArrayPool } from '../../src/foundation/arrayPool';
import { KinkWatch } from '../../src/reference/definitions64';
import { referenceWorld, SLOPE_CHUNK } from '../../src/reference/world64';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';

function network(batch: number): Scenario {
  return Scenario.parse({
    title: `8-512-10 tanh, batch ${batch}`,
    seed: 2,
    model: {
      inputs: 8,
      layers: [
        { units: 512, activation: 'tanh', bias: false, init: { normal: [0, 0.1] } },
        { units: 10, activation: 'linear', bias: false, init: { normal: [0, 0.1] } },
      ],
      loss: { type: 'softmax-cross-entropy' },
    },
    data: { batch, labels: { random: true } },
  });
}

/**
 * ∂E/∂net1 (through tanh: one slope run per chunk of net1): the runs over a chunk's outputs (the
 * column runs of ∂E/∂net2 have 10× fewer) and the distinct chunk-sized buffers the pools issued.
 */
function slopeRunBuffers(batch: number): { chunks: number; buffers: number } {
  const s = network(batch);
  const issue = jest.spyOn(ArrayPool.prototype, 'buffer');
  const runs = jest.spyOn(KinkWatch.prototype, 'derivative');
  try {
    withArrayPool(new ArrayPool(), () => {
      const g = referenceWorld(s, drawTrial(s, 0)).lossGradient!('net1')!;
      expect(g.data.every(Number.isFinite)).toBe(true);
    });
    const chunkSized = new Set(issue.mock.results.map((r) => r.value as ArrayBuffer).filter((b) => b.byteLength === 8 * SLOPE_CHUNK));
    const chunks = runs.mock.results.filter((r) => (r.value as { value: Float64Array }).value.length === SLOPE_CHUNK).length;
    return { chunks, buffers: chunkSized.size };
  } finally {
    issue.mockRestore();
    runs.mockRestore();
  }
}

describe('the arrays of a run over many outputs', () => {
  it('go back to the pool: a slope run over three chunks takes about as many arrays as one over one chunk', () => {
    const one = slopeRunBuffers(SLOPE_CHUNK / 512);
    const three = slopeRunBuffers((3 * SLOPE_CHUNK) / 512);
    expect(one.chunks).toBe(1);
    expect(three.chunks).toBe(3);
    // from the slope run's pool: the tableau's rows, its best values, the quotients, the copies of f's values
    expect(one.buffers).toBeGreaterThanOrEqual(12);
    expect(three.buffers).toBeLessThan(1.5 * one.buffers);
  });
});
