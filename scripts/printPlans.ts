import { symbolTableOf } from '../src/scenario/computationOf';
import { checkClaim } from '../src/formula/check';
import { printPlan } from '../src/formula/contractionPlan';
import { FormulaEvaluator } from '../src/formula/evaluate';
import { formatProblem } from '../src/foundation/problem';
import { referenceWorld } from '../src/reference/world64';
import { loadScenarioChecked } from '../src/run/runFile';
import { drawTrial } from '../src/scenario/trialValues';

// npm run plans -- FILE [CLAIM_ID…]: the contraction plan of every sum and mean (and product with
// one among its factors) in the claims' formulas (lhs, rhs, where), as the evaluator runs them (src/formula/contractionPlan.ts).
// Plans depend on shapes only; the two worlds run the same ones. They are found by evaluating
// the formulas once in the reference world on trial 0, so a formula with grad(…) takes as long
// as that reference evaluation does.

function main(): void {
  const [file, ...ids] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: npm run plans -- FILE [CLAIM_ID…]');
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) {
    for (const problem of loaded.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    process.exit(2);
  }
  const { scenario } = loaded;
  const claims = ids.length === 0 ? scenario.claims : scenario.claims.filter((c) => ids.includes(c.id));
  const missing = ids.filter((id) => !scenario.claims.some((c) => c.id === id));
  if (missing.length > 0) throw new Error(`${file}: no claim ${missing.join(', ')} (claims: ${scenario.claims.map((c) => c.id).join(', ')})`);
  const world = referenceWorld(scenario, drawTrial(scenario, 0));
  const table = symbolTableOf(scenario);
  for (const claim of claims) {
    const checked = checkClaim({ lhs: claim.lhs, rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) }, table);
    if (!checked.ok) continue;
    for (const field of ['lhs', 'rhs', 'where'] as const) {
      const node = checked.claim[field];
      if (node === undefined) continue;
      const plans: string[] = [];
      new FormulaEvaluator(checked.claim, world, { onPlan: (plan) => plans.push(printPlan(plan)) }).evaluate(node);
      process.stdout.write(`${claim.id} ${field}: ${claim[field]}\n`);
      process.stdout.write(plans.length === 0 ? '  (no sum or mean)\n\n' : `${plans.map((p) => p.replace(/^/gm, '  ')).join('\n\n')}\n\n`);
    }
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
