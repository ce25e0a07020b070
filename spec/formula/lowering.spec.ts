import { relative } from 'node:path';
import { symbolTableOf } from '../../src/scenario/computationOf';
import { DEFAULT_TOLERANCE } from '../../src/claim/tolerances';
import { childrenOf, type Expr } from '../../src/formula/ast';
import { loadScenarioChecked } from '../../src/run/runFile';
import type { Claim, Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';
import { checked, evaluateIn, indexTuples, type EvaluatedClaim, type LaidOut } from '../support/formulaWorlds';
import { root, shippedScenarioFiles } from '../support/shippedScenarios';
// grad(…, Q) with Q larger than this is differentiated by sampling in the reference world, not element by element
import { LARGE_TENSOR } from '../../src/reference/world64';

// Every formula of every shipped scenario, lowered to tfjs ops, gives what the float64 evaluator
// gives (trial 0), at float32 tolerance: atol·scale + rtol·|reference| + the reference's error
// estimate, with the scale of the claim (its largest value, and its network's largest gradient
// when it takes derivatives). Conditions (where) must select the very same elements. The files
// are found when the spec runs, so new scenarios are covered without touching this file.

const files = shippedScenarioFiles();
const { rtol, atol } = DEFAULT_TOLERANCE.tfjs;

function gradTargets(node: Expr): string[] {
  const own = node.kind === 'call' && node.name === 'grad' && node.args[1].kind === 'symbol' ? [node.args[1].name] : [];
  return [...own, ...childrenOf(node).flatMap(gradTargets)];
}

function takesDerivatives(node: Expr): boolean {
  const text = JSON.stringify(node, (key, value) => (key === 'pos' || key === 'end' ? undefined : value));
  return /"name":"(grad|next)"/.test(text);
}

function maxAbs(values: readonly number[]): number {
  return values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
}

interface Mismatch {
  field: 'lhs' | 'rhs' | 'where';
  index: Record<string, number>;
  reference: number;
  tfjs: number;
  allowed?: number;
}

function disagreements(field: 'lhs' | 'rhs' | 'where', ref: LaidOut, tfj: LaidOut, layout: EvaluatedClaim, scale: number): Mismatch[] {
  const tuples = indexTuples(layout.sizes);
  return tuples.flatMap((tuple, flat): Mismatch[] => {
    const r = ref.data[flat];
    const t = tfj.data[flat];
    const index = Object.fromEntries(layout.vars.map((v, a) => [v, tuple[a]]));
    if (field === 'where') return (r !== 0) === (t !== 0) ? [] : [{ field, index, reference: r, tfjs: t }];
    if (!Number.isFinite(r) || !Number.isFinite(t)) return Object.is(r, t) ? [] : [{ field, index, reference: r, tfjs: t }];
    const allowed = atol * scale + rtol * Math.abs(r) + (ref.error?.[flat] ?? 0);
    return Math.abs(r - t) <= allowed ? [] : [{ field, index, reference: r, tfjs: t, allowed }];
  });
}

function claimsToLower(scenario: Scenario): { run: Claim[]; skipped: string[] } {
  const table = symbolTableOf(scenario);
  const run: Claim[] = [];
  const skipped: string[] = [];
  for (const claim of scenario.claims) {
    // a claim expected disputed is one where the worlds are meant to disagree
    if (claim.expect === 'disputed') {
      skipped.push(`${claim.id} (expects disputed)`);
      continue;
    }
    const c = checked(scenario, { lhs: claim.lhs, rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) });
    const large = [c.lhs, c.rhs, ...(c.where ? [c.where] : [])]
      .flatMap(gradTargets)
      .filter((name) => table.symbols.get(name)!.shape.reduce((a, b) => a * b, 1) > LARGE_TENSOR);
    if (large.length > 0) skipped.push(`${claim.id} (grad with respect to ${large.join(', ')}, too large)`);
    else run.push(claim);
  }
  return { run, skipped };
}

useSpecBackend();

it('finds the shipped scenarios', () => {
  expect(files.length).toBeGreaterThan(0);
});

for (const file of files) {
  const loaded = loadScenarioChecked(file);
  // an invalid file is reported by claims.spec.ts; there is nothing to lower here
  if (!loaded.ok || loaded.scenario.claims.length === 0) continue;
  const { scenario } = loaded;
  const { run, skipped } = claimsToLower(scenario);
  describe(relative(root, file), () => {
    if (skipped.length > 0) it.skip(`not lowered: ${skipped.join('; ')}`, () => undefined);
    it.each(run.map((claim) => [claim.id, claim] as const))('%s: lhs, rhs and where agree in tfjs and float64', (_id, claim) => {
      const c = checked(scenario, { lhs: claim.lhs, rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) });
      const derivatives = takesDerivatives(c.lhs) || takesDerivatives(c.rhs);
      const ref = evaluateIn('reference', scenario, c, { withScale: derivatives });
      const tfj = evaluateIn('tfjs', scenario, c);
      const scale = Math.max(maxAbs(ref.lhs.data), maxAbs(ref.rhs.data), ref.gradientScale ?? 0);
      const wrong = [
        ...disagreements('lhs', ref.lhs, tfj.lhs, ref, scale),
        ...disagreements('rhs', ref.rhs, tfj.rhs, ref, scale),
        ...(ref.where && tfj.where ? disagreements('where', ref.where, tfj.where, ref, scale) : []),
      ];
      expect({ claim: claim.id, scale, wrong: wrong.slice(0, 8), count: wrong.length }).toEqual({ claim: claim.id, scale, wrong: [], count: 0 });
    });
  });
}
