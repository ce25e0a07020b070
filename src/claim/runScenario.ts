import { ArrayPool, POOLED_LENGTH, withArrayPool } from '../foundation/arrayPool';
import { checkClaim, type CheckedClaim } from '../formula/check';
import { renderFormulaError } from '../formula/formulaError';
import { referenceWorld } from '../reference/world64';
import { computationOf, symbolTableOf } from '../scenario/computationOf';
import type { Scenario } from '../scenario/schema';
import { drawTrial } from '../scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../tfjs/trialTensors';
import { tfjsTrial, type TfTrial } from '../tfjs/worldTf';
import { finishAgreement, newAgreementState, type AgreementResult, type AgreementState } from './agreement';
import { agreementInTrial } from './agreementInTrial';
import { pointToAgreement } from './agreementPointer';
import { finish, toleranceFor, type ClaimResult, type ClaimState } from './claimResult';
import { judgeInTrial } from './judgeClaim';
import { memoryCheckpoint } from './memoryCheckpoint';
import { largestGradientElements } from './scaleHints';
import { usesDerivatives } from './sidesOf';

export type { ClaimResult, WorldSummary, WorstElement } from './claimResult';

// Runs a scenario's claims: each trial draws its numbers, builds each world once, and judges every
// claim in it (judgeClaim.ts) and the built-in gradient agreement check (agreementInTrial.ts) on
// the same two worlds; each claim's trials are summed up into its verdict (claimResult.ts).

export interface RunOptions {
  /** overrides the scenario's trials / seed */
  trials?: number;
  seed?: number;
  /** only these claim ids */
  claimIds?: readonly string[];
  /** keep every trial's sides (for `explain`) */
  keepSides?: boolean;
  /** called after each trial (progress) */
  onTrial?: (trial: number, trials: number) => void;
  /** run the built-in gradient agreement check in each trial (default true; explain leaves it out) */
  agreement?: boolean;
}

/** A scenario's run: every claim's result, and the gradient agreement check's (null when not run). */
export interface ScenarioRun {
  claims: ClaimResult[];
  agreement: AgreementResult | null;
}

const derivatives = (c: CheckedClaim): boolean => usesDerivatives(c.lhs) || usesDerivatives(c.rhs) || (c.where ? usesDerivatives(c.where) : false);

/**
 * One trial: its values drawn, each world built once, every claim judged in it. A function of its
 * own so that the trial's values are let go before the next trial draws its own.
 */
function runTrial(scenario: Scenario, live: ClaimState[], trial: number, seedOverride: number | undefined, keep: boolean, agreement: AgreementState | null): void {
  const values = drawTrial(scenario, trial, seedOverride);
  const tensors = trialTensors(values);
  memoryCheckpoint('trial drawn');
  // the tfjs forward pass and ∂E/∂P of this trial, once, for every claim (and the scale hints)
  let tfTrial: TfTrial | null = null;
  let hints: Map<string, number> | undefined;
  const reference = referenceWorld(scenario, values, { scaleHints: () => (hints ??= largestGradientElements(scenario, tfTrial!)) });
  try {
    const t0 = performance.now();
    tfTrial = tfjsTrial(scenario, values, tensors, {
      withGradients: agreement !== null || live.some((s) => derivatives(s.checked!)),
      uploadAgainFrom: POOLED_LENGTH,
      ...(agreement ? { alsoDifferentiate: agreement.symbols } : {}),
    });
    // counted in the tfjs world's time of the trial's first claim, which would have computed it
    if (live.length > 0) live[0].elapsed.tfjs += performance.now() - t0;
    memoryCheckpoint('tfjs forward and backward');
    // one pool for the trial's large arrays, dropped with it (src/foundation/arrayPool.ts)
    const pool = new ArrayPool();
    const blocks = new ArrayPool({ reclaimable: true });
    for (const state of live) {
      const context = { tfTrial, reference, trial, seed: values.seed, keep, blocks };
      state.outcomes.push(withArrayPool(pool, () => judgeInTrial(state, context)));
    }
    // the check's moved passes and derivatives hand their large arrays on through a pool of its own, which goes with it
    if (agreement) withArrayPool(new ArrayPool(), () => agreementInTrial(agreement, tfTrial!, reference, trial, values.seed));
  } finally {
    tfTrial?.dispose();
    disposeTrialTensors(tensors);
  }
}

/**
 * Runs every claim of a scenario in both worlds over all trials. Each trial builds each world
 * once and evaluates every claim in it; the verdicts follow DESIGN §3.
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): ClaimResult[] {
  return runScenarioWithAgreement(scenario, options).claims;
}

/**
 * runScenario, with the built-in gradient agreement check of every trial (unless
 * `options.agreement` is false, or claim ids were asked for and the scenario has none of them); a
 * disputed claim that reads a gradient the check finds departing says so.
 */
export function runScenarioWithAgreement(scenario: Scenario, options: RunOptions = {}): ScenarioRun {
  const trials = options.trials ?? scenario.trials;
  const table = symbolTableOf(scenario);
  const wanted = options.claimIds ? scenario.claims.filter((c) => options.claimIds!.includes(c.id)) : scenario.claims;
  const states: ClaimState[] = wanted.map((claim) => {
    const checked = checkClaim({ lhs: claim.lhs, rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) }, table);
    return {
      claim,
      checked: checked.ok ? checked.claim : null,
      ...(checked.ok ? {} : { problem: `${checked.field}: ${renderFormulaError(checked.error)}` }),
      tolerance: toleranceFor(claim),
      outcomes: [],
      elapsed: { reference: 0, tfjs: 0 },
    };
  });
  const live = states.filter((s) => s.checked !== null);
  const keep = options.keepSides === true;
  const checking = options.agreement !== false && (!options.claimIds || wanted.length > 0);
  const agreement = checking ? newAgreementState(computationOf(scenario)) : null;
  for (let trial = 0; trial < trials && (live.length > 0 || agreement !== null); trial++) {
    runTrial(scenario, live, trial, options.seed, keep, agreement);
    options.onTrial?.(trial + 1, trials);
  }
  memoryCheckpoint('trials done');
  const results = states.map((s) => finish(s, trials, keep));
  const agreed = agreement ? finishAgreement(agreement, scenario.agreement) : null;
  memoryCheckpoint('verdicts');
  return { claims: agreed ? pointToAgreement(results, states, scenario, agreed) : results, agreement: agreed };
}
