import { join } from 'node:path';
import { decidedByEstimate } from '../src/claim/judge';
import { type Relation } from '../src/claim/relations';
import { type Sides } from '../src/claim/sides';
import { runScenario } from '../src/claim/runScenario';
import { FLOOR_ULPS } from '../src/claim/stepSides';
import { allowedDifference, ESTIMATE_SHARE, type Tolerance, type WorldName } from '../src/claim/tolerances';
import { loadScenarioChecked } from '../src/run/runFile';
import { cellsOf } from '../src/sweep/cellsOf';
import { findScenarioFiles } from '../src/load/findScenarioFiles';
import { useBackend } from '../src/tfjs/backend';

// npm run measure:tolerances — the measurement the default tolerances come from: over every
// shipped claim that holds, the largest error of each world, as the rtol it would need with
// atol = rtol / 10 (|l − r| / (max(|l|, |r|) + scale / 10)), not counting the reference's own
// error estimate. The defaults are ~100× these (docs/judging.md, "Tolerances"). Also, over every shipped
// claim, the largest share of its tolerance that the reference's error estimate is (it may decide
// an element only up to ESTIMATE_SHARE of it). The next(P) claims, judged on the step
// (src/claim/stepSides.ts), are measured apart: what of |l − r| the tolerance without its floor
// does not cover (the rounding of P), in spacings of P per optimizer step, which the per-element
// floor (FLOOR_ULPS) must cover, and the largest share of the whole allowance used.

/** Kinks are not judged; elements the reference did not compute (large tensors) are NaN. */
function needed(sides: Sides, kink: Uint8Array | null | undefined): number {
  let worst = 0;
  for (let i = 0; i < sides.lhs.length; i++) {
    if ((sides.mask && !sides.mask[i]) || kink?.[i] || Number.isNaN(sides.lhs[i])) continue;
    const l = sides.lhs[i];
    const r = sides.rhs[i];
    const denominator = Math.max(Math.abs(l), Math.abs(r)) + sides.scale / 10;
    if (denominator > 0) worst = Math.max(worst, Math.abs(l - r) / denominator);
  }
  return worst;
}

/** The reference's error estimates next to their tolerances: elements seen, the largest share, how many the estimate decides. */
interface EstimateShares {
  elements: number;
  largest: number;
  where: string;
  decided: number;
}

/** Over the selected, finite, non-kink elements: estimate / (atol·scale + rtol·max(|l|, |r|)). */
function addEstimateShares(into: EstimateShares, sides: Sides, rel: Relation, tolerance: Tolerance, where: string): void {
  if (!sides.error) return;
  for (let i = 0; i < sides.lhs.length; i++) {
    if ((sides.mask && !sides.mask[i]) || sides.kink?.[i]) continue;
    const l = sides.lhs[i];
    const r = sides.rhs[i];
    if (!Number.isFinite(l) || !Number.isFinite(r)) continue;
    const t = allowedDifference(tolerance, sides.scale, l, r);
    const e = sides.error[i];
    const share = t > 0 ? e / t : e > 0 ? Infinity : 0;
    into.elements++;
    if (decidedByEstimate(rel, l, r, t, e)) into.decided++;
    if (share >= into.largest) Object.assign(into, { largest: share, where });
  }
}

/**
 * Over the selected elements of sides judged on the step: the largest part of |l − r| beyond the
 * tolerance without its floor (and the reference's estimate), in spacings of P per step (the floor
 * is FLOOR_ULPS of them per step), and the largest share of the whole allowance that |l − r| is.
 */
function stepErrors(sides: Sides, tolerance: Tolerance, steps: number): { spacings: number; share: number } {
  let spacings = 0;
  let share = 0;
  for (let i = 0; i < sides.lhs.length; i++) {
    if ((sides.mask && !sides.mask[i]) || sides.kink?.[i] || !sides.floor) continue;
    const difference = Math.abs(sides.lhs[i] - sides.rhs[i]);
    const without = allowedDifference(tolerance, sides.scale, sides.lhs[i], sides.rhs[i], sides.error?.[i] ?? 0);
    const spacing = sides.floor[i] / (FLOOR_ULPS * steps);
    if (spacing > 0) spacings = Math.max(spacings, Math.max(0, difference - without) / spacing / steps);
    share = Math.max(share, difference / (without + sides.floor[i]));
  }
  return { spacings, share };
}

async function main(): Promise<void> {
  const backend = await useBackend();
  const worst: Record<WorldName, { value: number; where: string }> = { reference: { value: 0, where: '' }, tfjs: { value: 0, where: '' } };
  let claims = 0;
  const estimate: EstimateShares = { elements: 0, largest: 0, where: '', decided: 0 };
  const holdingEstimate: EstimateShares = { elements: 0, largest: 0, where: '', decided: 0 };
  const perClaim: Record<WorldName, { value: number; where: string }[]> = { reference: [], tfjs: [] };
  const steps: Record<WorldName, { spacings: number; share: number; where: string; claims: number }> = { reference: { spacings: 0, share: 0, where: '', claims: 0 }, tfjs: { spacings: 0, share: 0, where: '', claims: 0 } };
  for (const file of findScenarioFiles([join(__dirname, '..', 'scenarios')])) {
    const loaded = loadScenarioChecked(file);
    if (!loaded.ok) continue;
    // every cell of a sweep is a scenario of its own
    for (const { label, scenario } of cellsOf(loaded)) {
      // claims with their own tolerance (e.g. against 7-digit pasted constants) do not measure the defaults
      const holding = new Set(scenario.claims.filter((c) => c.expect === 'holds' && (c.rel ?? '==') === '==' && !c.tolerance).map((c) => c.id));
      for (const result of runScenario(scenario, { keepSides: true })) {
        const claim = scenario.claims.find((c) => c.id === result.id)!;
        // a claim judged on the step has a tolerance of its own per element (measured apart below)
        for (const s of result.judgedOnStep === undefined ? (result.sides ?? []) : []) {
          const where = `${file.replace(/.*scenarios\//, '')}${label} ${result.id} trial ${s.trial}`;
          addEstimateShares(estimate, s.reference, claim.rel ?? '==', result.worlds.reference.tolerance, where);
          if (result.verdict === 'holds') addEstimateShares(holdingEstimate, s.reference, claim.rel ?? '==', result.worlds.reference.tolerance, where);
        }
        if (!holding.has(result.id)) continue;
        if (result.judgedOnStep !== undefined) {
          for (const world of ['reference', 'tfjs'] as const) {
            steps[world].claims++;
            for (const s of result.sides ?? []) {
              const e = stepErrors(s[world], result.worlds[world].tolerance, scenario.optimizer?.steps ?? 1);
              steps[world].spacings = Math.max(steps[world].spacings, e.spacings);
              if (e.share >= steps[world].share) Object.assign(steps[world], { share: e.share, where: `${file.replace(/.*scenarios\//, '')}${label} ${result.id} trial ${s.trial}` });
            }
          }
          continue;
        }
        claims++;
        for (const world of ['reference', 'tfjs'] as const) {
          const claimWorst = { value: 0, where: '' };
          for (const s of result.sides ?? []) {
            const v = needed(s[world], s.reference.kink);
            if (v >= claimWorst.value) Object.assign(claimWorst, { value: v, where: `${file.replace(/.*scenarios\//, '')}${label} ${result.id} trial ${s.trial}` });
          }
          perClaim[world].push(claimWorst);
          if (claimWorst.value > worst[world].value) worst[world] = claimWorst;
        }
      }
    }
  }
  console.log(`backend ${backend}; ${claims} holding == claims not judged on the step`);
  for (const world of ['reference', 'tfjs'] as const) {
    const sorted = perClaim[world].sort((a, b) => b.value - a.value);
    console.log(`${world}: largest error ${worst[world].value.toExponential(2)} (${worst[world].where}); median over claims ${sorted[Math.floor(sorted.length / 2)].value.toExponential(2)}; next largest:`);
    for (const c of sorted.slice(1, 5)) console.log(`  ${c.value.toExponential(2)} ${c.where}`);
  }
  for (const world of ['reference', 'tfjs'] as const) {
    const s = steps[world];
    console.log(`${world}, ${s.claims} holding next(P) claims judged on the step: beyond the tolerance without its floor, at most ${s.spacings.toPrecision(2)} spacings of P per step (the floor allows ${FLOOR_ULPS}); largest share of the allowance used ${s.share.toPrecision(2)} (${s.where})`);
  }
  console.log(`reference error estimate, over ${estimate.elements} elements of every claim not judged on the step: at most ${estimate.largest.toPrecision(2)} of its element's tolerance (${estimate.where}); it decides ${estimate.decided} of them (it may, up to ${ESTIMATE_SHARE} of the tolerance)`);
  console.log(`  of the claims that hold (${holdingEstimate.elements} elements): at most ${holdingEstimate.largest.toPrecision(2)} (${holdingEstimate.where})`);
}

void main();
