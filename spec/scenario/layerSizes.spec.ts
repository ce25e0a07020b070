import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { checkScenario } from '../../src/api/check';
import { useSpecBackend } from '../support/backend';
import { root, shippedScenarioFiles } from '../support/shippedScenarios';

// The derivations under scenarios/layers/ are about any sizes, not the ones their files pick: each
// scenario again with every size one larger, two trials, keeps every claim it expects to hold
// holding (the wrong formulas are left out: a size may make one of them right by chance). Every
// shape and output size follows from the sizes block (a convolution's output from the window
// rule), so changing that block is enough. Max-pooling's 2×2 windows tile its input only when H
// and W are even: they grow by two.

useSpecBackend();

const files = shippedScenarioFiles().filter((f) => relative(root, f).startsWith('scenarios/layers/'));
const GROWTH: Record<string, Record<string, number>> = { 'max-pool.json': { H: 2, W: 2 } };

interface LayerScenario {
  trials?: number;
  computation: { sizes: Record<string, number> };
  claims: { id: string; expect: string }[];
}

describe('scenarios/layers with every size larger: the correct formulas still hold', () => {
  it('finds the layer scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s', async (_name, file) => {
    const scenario = JSON.parse(readFileSync(file, 'utf8')) as LayerScenario;
    const growth = GROWTH[basename(file)] ?? {};
    const sizes = Object.fromEntries(Object.entries(scenario.computation.sizes).map(([name, size]) => [name, size + (growth[name] ?? 1)]));
    const claims = scenario.claims.filter((c) => c.expect === 'holds');
    const report = await checkScenario({ ...scenario, trials: 2, computation: { ...scenario.computation, sizes }, claims });
    const [result] = report.scenarios;
    expect({ sizes, error: result.error }).toEqual({ sizes, error: undefined });
    const unmet = result.claims.filter((c) => !c.met).map((c) => ({ id: c.id, verdict: c.verdict, reference: c.worlds.reference, tfjs: c.worlds.tfjs }));
    expect(unmet).toEqual([]);
    expect(result.claims.map((c) => c.id)).toEqual(claims.map((c) => c.id));
  });
});
