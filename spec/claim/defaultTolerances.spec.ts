import { join } from 'node:path';
import { runScenario } from '../../src/claim/runScenario';
import { DEFAULT_TOLERANCE } from '../../src/claim/tolerances';
import { loadScenarioChecked } from '../../src/run/runFile';
import type { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// The default tolerances (docs/judging.md, "Tolerances") must still refute a formula that is off by 0.1%:
// each shipped claim here holds as written, and is refuted in both worlds with its rhs × 1.001.

function load(relative: string): Scenario {
  const loaded = loadScenarioChecked(join(__dirname, '..', '..', 'scenarios', relative));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.scenario;
}

const cases: [string, string][] = [
  ['article/demo-label0.json', 'demo-W2-gradient'],
  ['article/random-2class.json', 'claim3-corrected'],
  ['article/random-3class.json', 'claim4-corrected'],
  ['article/sigmoid-hidden.json', 'claim2-with-phi-prime'],
  ['textbook/three-layer.json', 'delta1'],
  ['textbook/mse-sigmoid-output.json', 'output-delta'],
];

useSpecBackend();

describe('default tolerances refute a formula off by 0.1%', () => {
  it('the defaults are below 0.1% relative', () => {
    for (const world of ['reference', 'tfjs'] as const) {
      expect({ world, rtolPlusAtol: DEFAULT_TOLERANCE[world].rtol + DEFAULT_TOLERANCE[world].atol < 1e-3 }).toEqual({ world, rtolPlusAtol: true });
    }
  });

  it.each(cases)('%s › %s: holds as written, refuted with rhs × 1.001', (file, id) => {
    const scenario = load(file);
    const claim = scenario.claims.find((c) => c.id === id);
    if (!claim) throw new Error(`${file} has no claim ${id}: ${scenario.claims.map((c) => c.id).join(', ')}`);
    const scaled = { ...claim, id: `${id}-scaled`, rhs: `(${claim.rhs}) * 1.001`, expect: 'refuted' as const };
    const [asWritten, offByOnePerMille] = runScenario({ ...scenario, claims: [claim, scaled] });
    expect({ id, verdict: asWritten.verdict }).toEqual({ id, verdict: 'holds' });
    expect({
      id: scaled.id,
      verdict: offByOnePerMille.verdict,
      reference: offByOnePerMille.worlds.reference.outcome,
      tfjs: offByOnePerMille.worlds.tfjs.outcome,
    }).toEqual({ id: scaled.id, verdict: 'refuted', reference: 'refuted', tfjs: 'refuted' });
  });
});
