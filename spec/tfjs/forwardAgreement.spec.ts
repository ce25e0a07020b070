import { relative } from 'node:path';
import { referenceWorld } from '../../src/reference/world64';
import { computationOf } from '../../src/scenario/computationOf';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { tfjsTrial } from '../../src/tfjs/worldTf';
import { useSpecBackend } from '../support/backend';
import { loadValid, root, shippedScenarioFiles } from '../support/shippedScenarios';

// The two worlds' forward passes: tfjs (float32; a network from tfjs's layers and losses, a
// computation from its definitions lowered to tfjs ops) against the float64 reference (the
// definitions evaluated in plain loops), every definition and E, relative to the largest element
// of the same tensor. Measured on trial 0 of the shipped scenarios: worst 1.5e-7 (wasm), 7.5e-8 (cpu).
const FORWARD_RTOL = 1e-5;

const files = shippedScenarioFiles();

useSpecBackend();

describe('forward pass: tfjs agrees with the float64 reference (trial 0)', () => {
  it.each(files.map((f) => [relative(root, f), f]))('%s', (_name, file) => {
    const scenario = loadValid(file);
    const symbols = computationOf(scenario).definitions.filter((d) => !d.hidden).map((d) => d.name);
    const values = drawTrial(scenario, 0);
    const reference = referenceWorld(scenario, values).env;
    const inputs = trialTensors(values);
    const trial = tfjsTrial(scenario, values, inputs);
    const got = new Map<string, { shape: number[]; data: Float32Array }>();
    try {
      for (const s of symbols) got.set(s, { shape: trial.env.get(s)!.shape, data: trial.env.get(s)!.dataSync() as Float32Array });
    } finally {
      trial.dispose();
      disposeTrialTensors(inputs);
    }
    const past = symbols.flatMap((s): Record<string, unknown>[] => {
      const ref = reference.get(s)!;
      const tfjs = got.get(s)!;
      if (tfjs.shape.join() !== ref.shape.join()) return [{ symbol: s, tfjsShape: tfjs.shape, referenceShape: ref.shape }];
      const allowed = FORWARD_RTOL * Math.max(1e-3, ...Array.from(ref.data, Math.abs));
      return Array.from(ref.data).flatMap((r, i) => {
        const t = tfjs.data[i];
        return Math.abs(t - r) <= allowed ? [] : [{ symbol: s, index: i, tfjs: t, reference: r, difference: Math.abs(t - r), allowed }];
      });
    });
    expect(past).toEqual([]);
  });
});
