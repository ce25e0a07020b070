import type { Scenario } from '../scenario/schema';
import type { AgreementResult } from './agreement';
import { runScenarioWithAgreement } from './runScenario';

// The built-in gradient agreement check of a scenario by itself, without its claims: every run
// of a scenario makes it (runScenario.ts, in each trial on the claims' two worlds); this runs the
// trials for the check alone.

/** The gradient agreement check of `scenario` over its trials (or `trials`, from `seed`), its claims left out. */
export function checkGradientAgreement(scenario: Scenario, options: { trials?: number; seed?: number } = {}): AgreementResult {
  const run = runScenarioWithAgreement({ ...scenario, claims: [] }, { ...(options.trials !== undefined ? { trials: options.trials } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  return run.agreement!;
}
