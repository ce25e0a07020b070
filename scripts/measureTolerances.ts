import { join } from 'node:path';
import type { Sides } from '../src/claim/compare';
import { runScenario } from '../src/claim/runScenario';
import type { WorldName } from '../src/claim/tolerances';
import { loadScenarioChecked } from '../src/run/runFile';
import { findScenarioFiles } from '../src/scenario/findScenarioFiles';
import { useBackend } from '../src/tfjs/backend';

// npm run measure:tolerances — the measurement the default tolerances come from: over every
// shipped claim that holds, the largest error of each world, as the rtol it would need with
// atol = rtol / 10 (|l − r| / (max(|l|, |r|) + scale / 10)), not counting the reference's own
// error estimate. The defaults are ~100× these (README "Tolerances").

function needed(sides: Sides): number {
  let worst = 0;
  for (let i = 0; i < sides.lhs.length; i++) {
    if (sides.mask && !sides.mask[i]) continue;
    const l = sides.lhs[i];
    const r = sides.rhs[i];
    const denominator = Math.max(Math.abs(l), Math.abs(r)) + sides.scale / 10;
    if (denominator > 0) worst = Math.max(worst, Math.abs(l - r) / denominator);
  }
  return worst;
}

async function main(): Promise<void> {
  const backend = await useBackend();
  const worst: Record<WorldName, { value: number; where: string }> = { reference: { value: 0, where: '' }, tfjs: { value: 0, where: '' } };
  let claims = 0;
  for (const file of findScenarioFiles([join(__dirname, '..', 'scenarios')])) {
    const loaded = loadScenarioChecked(file);
    if (!loaded.ok) continue;
    const holding = loaded.scenario.claims.filter((c) => c.expect === 'holds' && (c.rel ?? '==') === '==');
    if (holding.length === 0) continue;
    for (const result of runScenario(loaded.scenario, { claimIds: holding.map((c) => c.id), keepSides: true })) {
      claims++;
      for (const s of result.sides ?? []) {
        for (const world of ['reference', 'tfjs'] as const) {
          const v = needed(s[world]);
          if (v > worst[world].value) worst[world] = { value: v, where: `${file.replace(/.*scenarios\//, '')} ${result.id} trial ${s.trial}` };
        }
      }
    }
  }
  console.log(`backend ${backend}; ${claims} holding == claims`);
  for (const world of ['reference', 'tfjs'] as const) console.log(`${world}: largest error ${worst[world].value.toExponential(2)} (${worst[world].where})`);
}

void main();
