import { z } from 'zod';
import { formatPath } from '../foundation/problem';
import { Scenario } from '../scenario/schema';
import { BACKEND_CHOICES, type BackendChoice } from '../tfjs/backendChoices';

// The options of the API (`check`, `checkScenario`) and of `scenarioTests`: those of the
// command, checked as strictly (a misspelt option is an error, not silently ignored).

export interface DerivcheckOptions {
  /** TensorFlow.js backend; default: DERIVCHECK_BACKEND, else auto (tfjs-node when it loads, else wasm, else cpu) */
  backend?: BackendChoice;
  /** trials per claim, instead of each scenario's own (1 to 1000) */
  trials?: number;
  /** random seed, instead of each scenario's own (0 to 2³¹ − 1) */
  seed?: number;
  /** only the claims with these ids */
  claims?: readonly string[];
}

export const OptionsSchema = z.strictObject({
  backend: z.enum(BACKEND_CHOICES).optional(),
  trials: Scenario.shape.trials.unwrap().optional(),
  seed: Scenario.shape.seed.unwrap().optional(),
  claims: z.array(z.string()).optional(),
});

/** The options checked against a schema; a TypeError says what is wrong with them. */
export function checkedOptions<T>(schema: z.ZodType<T>, options: unknown): T {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `options${issue.path.length > 0 ? `.${formatPath(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)))}` : ''}: ${issue.message}`);
  throw new TypeError(`derivcheck: ${problems.join('; ')}`);
}

/** The run options the options ask for. */
export function runOptionsOf(options: DerivcheckOptions): { trials?: number; seed?: number; claimIds?: readonly string[] } {
  return {
    ...(options.trials !== undefined ? { trials: options.trials } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.claims ? { claimIds: options.claims } : {}),
  };
}
