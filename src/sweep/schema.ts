import { z } from 'zod';
import { Claim, Scenario, Verdict } from '../scenario/schema';

// The sweep part of a scenario file (DESIGN §8): axes, each a JSON path into the scenario and the
// values it takes there, and a claim's `expect` as one verdict or a list of rules with `when`.
// A file with a sweep is checked in two steps: this schema for the sweep and the rules, then each
// cell (the file with the axes' values set and the rules resolved) as an ordinary scenario.

/** A sweep runs every cell as a scenario of its own: the grid is kept to this many cells. */
export const SWEEP_LIMITS = { cells: 256 } as const;

/** Words of the `when` language that cannot name an axis. */
export const CONDITION_WORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

const axisName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an axis name is an identifier (letters, digits, _), as `when` uses it')
  .refine((name) => !CONDITION_WORDS.has(name), { message: 'and, or, not, in, true, false and null are words of `when`, not axis names' });

export const SweepAxis = z.strictObject({
  path: z.string().min(1).describe('where in the scenario the values go, e.g. model.layers[0].activation'),
  values: z.array(z.json()).min(1).describe('the values the axis takes, one cell per value'),
});
export type SweepAxis = z.infer<typeof SweepAxis>;

export const Sweep = z
  .record(axisName, SweepAxis)
  .refine((axes) => Object.keys(axes).length > 0, { message: 'a sweep needs at least one axis' })
  .describe('runs the scenario over a grid: each axis sets its values at its path, every combination is a cell');
export type Sweep = z.infer<typeof Sweep>;

export const ExpectRule = z.strictObject({
  when: z.string().min(1).optional().describe("a condition over the axes, e.g. activation == 'linear' or classes == 2; absent: every cell"),
  expect: Verdict,
});
export type ExpectRule = z.infer<typeof ExpectRule>;

export const ExpectRules = z.array(ExpectRule).min(1).describe('the first rule whose `when` matches a cell gives its expectation');

/** The file as written: a scenario with `sweep`, whose claims may give rules for `expect` (for the JSON Schema). */
export const ScenarioFile = Scenario.extend({
  sweep: Sweep.optional(),
  claims: z.array(Claim.extend({ expect: z.union([Verdict, ExpectRules]) })).default([]),
});
