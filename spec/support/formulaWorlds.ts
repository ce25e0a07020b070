import * as tf from '@tensorflow/tfjs';
import type { World } from '../../src/formula/algebra';
import { checkClaim, type CheckedClaim } from '../../src/formula/check';
import { expandTo, FormulaEvaluator, type EvaluatorOptions } from '../../src/formula/evaluate';
import { renderFormulaError } from '../../src/formula/formulaError';
import { symbolTableOf } from '../../src/scenario/computationOf';
import type { Value64 } from '../../src/reference/algebra64';
import { referenceWorld } from '../../src/reference/world64';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { tfjsTrial, tfjsWorld } from '../../src/tfjs/worldTf';

// Evaluates a claim's formulas in one world the way the claim code does (one FormulaEvaluator,
// each side laid out over the claim's free indices), for specs that look at the numbers.

export type WorldName = 'reference' | 'tfjs';
export const WORLDS: WorldName[] = ['reference', 'tfjs'];

export interface LaidOut {
  data: number[];
  /** the reference's error bound per element; null in the tfjs world or when exact */
  error: number[] | null;
}

export interface EvaluatedClaim {
  /** free indices in order of first appearance, and their sizes */
  vars: string[];
  sizes: number[];
  lhs: LaidOut;
  rhs: LaidOut;
  where: LaidOut | null;
  /** the world's largest |∂E/∂P| (DESIGN §3), computed only when asked for */
  gradientScale?: number;
}

export interface Texts {
  lhs: string;
  rhs: string;
  where?: string;
}

export function scenarioOf(input: ScenarioInput): Scenario {
  return Scenario.parse(input);
}

export function checked(scenario: Scenario, texts: Texts): CheckedClaim {
  const result = checkClaim(texts, symbolTableOf(scenario));
  if (!result.ok) throw new Error(`${result.field}: ${renderFormulaError(result.error)}`);
  return result.claim;
}

function layOut<T>(claim: CheckedClaim, world: World<T>, read: (t: T) => LaidOut, withScale: boolean, options: EvaluatorOptions = {}): EvaluatedClaim {
  const evaluator = new FormulaEvaluator(claim, world, options);
  const vars = claim.freeIndices.map((f) => f.name);
  const sizes = claim.freeIndices.map((f) => f.size);
  const lay = (node: CheckedClaim['lhs']): LaidOut => read(expandTo(world.algebra, evaluator.evaluate(node), vars, sizes));
  const result: EvaluatedClaim = { vars, sizes, lhs: lay(claim.lhs), rhs: lay(claim.rhs), where: claim.where ? lay(claim.where) : null };
  if (withScale) result.gradientScale = world.gradientScale();
  return result;
}

const read64 = (t: Value64): LaidOut => ({ data: Array.from(t.data), error: t.error ? Array.from(t.error) : null });
const readTf = (t: tf.Tensor): LaidOut => ({ data: Array.from(t.dataSync()), error: null });

/**
 * Evaluates lhs, rhs and where of one claim in one world for one trial; tfjs tensors are disposed.
 * `evaluator`: the FormulaEvaluator's options (e.g. the written order instead of the planned one).
 */
export function evaluateIn(world: WorldName, scenario: Scenario, claim: CheckedClaim, options: { trial?: number; withScale?: boolean; evaluator?: EvaluatorOptions } = {}): EvaluatedClaim {
  const values = drawTrial(scenario, options.trial ?? 0);
  const withScale = options.withScale === true;
  if (world === 'reference') return layOut(claim, referenceWorld(scenario, values), read64, withScale, options.evaluator);
  const inputs = trialTensors(values);
  const trial = tfjsTrial(scenario, values, inputs);
  try {
    let result!: EvaluatedClaim;
    tf.tidy(() => {
      result = layOut(claim, tfjsWorld(trial), readTf, withScale, options.evaluator);
    });
    return result;
  } finally {
    trial.dispose();
    disposeTrialTensors(inputs);
  }
}

/** Every index tuple over `sizes`, row-major (the layout of EvaluatedClaim's data). */
export function indexTuples(sizes: readonly number[]): number[][] {
  let tuples: number[][] = [[]];
  for (const size of sizes) tuples = tuples.flatMap((t) => Array.from({ length: size }, (_, i) => [...t, i]));
  return tuples;
}
