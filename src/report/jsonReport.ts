import { z } from 'zod';
import type { ClaimResult, WorldSummary } from '../claim/runScenario';
import { formatPath, formatProblemLong } from '../foundation/problem';
import type { AgreementElement, AgreementResult } from '../claim/agreement';
import { agreementsOf, type ScenarioReport, type SweepReport } from '../run/runFile';
import type { Axis } from '../sweep/grid';
import { claimMatrices } from './sweepMatrix';
import { summaryOf, type RunReport } from './runReport';

// The JSON report of DESIGN §4, with its zod schema for those who read it (and for the spec).
// Fields that hold times are named `elapsedMs`: two runs of the same files differ only there.
// JSON has no NaN or Infinity: such numbers are written as the strings "NaN", "Infinity", "-Infinity".

const JsonNumber = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

const Tolerance = z.strictObject({ rtol: z.number(), atol: z.number() });

const WorstElement = z.strictObject({
  /** value of each free index, by name */
  index: z.record(z.string(), z.int()),
  lhs: JsonNumber,
  rhs: JsonNumber,
  /** lhs − rhs */
  difference: JsonNumber,
  /** the |lhs − rhs| the tolerance allows here */
  allowed: JsonNumber,
  /** how far past the relation's limit, in units of `allowed` (≤ 0 passes) */
  excess: JsonNumber,
  passes: z.boolean(),
  trial: z.int(),
  seed: z.int(),
  /** a sampled check of a large gradient: a random direction (then `index` is empty) instead of one element */
  check: z.enum(['element', 'direction']).optional(),
  direction: z.int().optional(),
});

const World = z.strictObject({
  /** at-kink: every selected element sat at a kink in every trial (nothing judged) */
  outcome: z.enum(['holds', 'refuted', 'error', 'at-kink']),
  message: z.string().optional(),
  tolerance: Tolerance,
  trialsRefuted: z.int(),
  worst: WorstElement.nullable(),
  /** the reference checked a large gradient by sampling: elements differentiated one by one (fewest in a trial), directions per trial */
  coverage: z.strictObject({ elements: z.int(), checked: z.int(), directions: z.int() }).optional(),
  scaleSource: z.literal('sampled').optional(),
  /** selected elements not judged because the reference found a kink there (summed over trials), and the first */
  kinks: z.strictObject({ count: z.int(), trial: z.int(), seed: z.int(), index: z.record(z.string(), z.int()) }).optional(),
  /** selected elements not judged because the reference's error estimate would decide them (summed over trials), and the worst of the first trial */
  imprecise: z.strictObject({ count: z.int(), trial: z.int(), seed: z.int(), index: z.record(z.string(), z.int()), estimate: JsonNumber, tolerance: JsonNumber }).optional(),
  elapsedMs: z.number(),
});

const Claim = z.strictObject({
  id: z.string(),
  says: z.string(),
  expect: z.enum(['holds', 'refuted', 'disputed', 'at-kink']),
  verdict: z.enum(['holds', 'refuted', 'disputed', 'at-kink', 'vacuous', 'error']),
  met: z.boolean(),
  message: z.string().optional(),
  note: z.string().optional(),
  trials: z.int(),
  /** the parameter P of a claim whose lhs is next(P)[…]: judged on the step, next(P) − P against rhs − P (the worst elements' lhs and rhs are steps) */
  judgedOnStep: z.string().optional(),
  /** the self-test of claims that hold: moving the rhs past the relation must refute them */
  vacuity: z.strictObject({ flipped: z.boolean(), reference: z.string(), tfjs: z.string() }).optional(),
  worlds: z.strictObject({ reference: World, tfjs: World }),
  /** in a sweep: the cell this result is of, each axis's value by name */
  cell: z.record(z.string(), z.json()).optional(),
});

/** A sweep's grid, and per claim where it holds and the cells that miss their expectation. */
const Sweep = z.strictObject({
  axes: z.array(z.strictObject({ name: z.string(), path: z.string(), values: z.array(z.json()) })),
  cells: z.int(),
  claims: z.array(
    z.strictObject({
      id: z.string(),
      /** the expectation as written: one verdict, or the rules */
      expect: z.union([z.string(), z.array(z.strictObject({ when: z.string().optional(), expect: z.string() }))]),
      /** the simplest condition (the `when` language) matching exactly the cells where the claim holds; kind unknown past the search's bound */
      holdsWhere: z.strictObject({ kind: z.enum(['every', 'none', 'condition', 'unknown']), condition: z.string().optional() }),
      /** the cells whose verdict is not their expectation */
      missed: z.array(z.record(z.string(), z.json())),
    }),
  ),
});

/** One element of the gradient agreement check: tfjs's ∂E/∂symbol against the reference's. */
const AgreementElement = z.strictObject({
  symbol: z.string(),
  /** the element of the symbol, one index per axis */
  index: z.array(z.int()),
  trial: z.int(),
  seed: z.int(),
  tfjs: JsonNumber,
  reference: JsonNumber,
  /** |tfjs − reference| */
  difference: JsonNumber,
  /** the difference the tolerance allows there */
  allowed: JsonNumber,
});

/** The built-in gradient agreement check of a scenario (of one cell of a sweep). */
const Agreement = z.strictObject({
  /** the scenario's `agreement` field */
  expect: z.enum(['agrees', 'disputed']),
  verdict: z.enum(['agrees', 'disputed', 'error']),
  met: z.boolean(),
  /** why the verdict is error */
  message: z.string().optional(),
  tolerance: Tolerance,
  trials: z.int(),
  /** the symbols S whose ∂E/∂S were compared */
  symbols: z.array(z.string()),
  /** elements compared over every trial */
  compared: z.int(),
  /** the first element where tfjs and the reference part, null when none does */
  first: AgreementElement.nullable(),
  /** the element closest to (or furthest past) its allowed difference */
  worst: AgreementElement.nullable(),
  /** each symbol with elements past their allowance, and how many */
  departing: z.array(z.strictObject({ symbol: z.string(), count: z.int() })),
  /** symbols too large to compare in full: their size, and the elements compared per trial (the fewest) */
  sampled: z.array(z.strictObject({ symbol: z.string(), elements: z.int(), compared: z.int() })),
  /** elements not compared because the reference found a kink there, and the first */
  kinks: z.strictObject({ count: z.int(), first: AgreementElement.extend({ forward: JsonNumber, backward: JsonNumber }) }).optional(),
  /** elements not compared because the reference's error estimate would decide them */
  imprecise: z.int().optional(),
  /** in a sweep: the cell, each axis's value by name */
  cell: z.record(z.string(), z.json()).optional(),
  elapsedMs: z.number(),
});

const Problem = z.strictObject({
  path: z.string(),
  message: z.string(),
  line: z.int().optional(),
  column: z.int().optional(),
  detail: z.string().optional(),
});

const Scenario = z.strictObject({
  file: z.string(),
  title: z.string(),
  /** why the file is invalid (then `claims` is empty and nothing ran), in words */
  error: z.string().optional(),
  problems: z.array(Problem).optional(),
  /** for a sweep, every cell's claims, cell after cell, each with its `cell` */
  claims: z.array(Claim),
  sweep: Sweep.optional(),
  /** the built-in gradient agreement check: one, or one per cell of a sweep (each with `cell`); absent for an invalid file */
  agreement: z.array(Agreement).optional(),
  /** what a valid scenario should know before its verdicts are read: numbers float32 cannot hold, targets softmax-cross-entropy does not expect */
  notes: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  elapsedMs: z.number(),
});

export const JsonReport = z.strictObject({
  tool: z.literal('derivcheck'),
  version: z.string(),
  backend: z.string(),
  scenarios: z.array(Scenario),
  /** agreementChecks: gradient agreement checks run; agreementUnmet: those whose verdict is not the one expected */
  summary: z.strictObject({ files: z.int(), claims: z.int(), met: z.int(), unmet: z.int(), invalidFiles: z.int(), agreementChecks: z.int(), agreementUnmet: z.int() }),
  elapsedMs: z.number(),
});
export type JsonReport = z.infer<typeof JsonReport>;

type JsonNumber = z.infer<typeof JsonNumber>;
const num = (v: number): JsonNumber => (Number.isFinite(v) ? v : (String(v) as 'NaN' | 'Infinity' | '-Infinity'));

/** An element's index as { i: 0, j: 3 }, by the claim's free index names. */
const namedIndex = (result: ClaimResult, index: number[]): Record<string, number> => Object.fromEntries(index.map((v, axis) => [result.indices[axis] ?? `axis${axis}`, v]));

function world(result: ClaimResult, w: WorldSummary): z.infer<typeof World> {
  const e = w.worst;
  return {
    outcome: w.outcome,
    ...(w.message !== undefined ? { message: w.message } : {}),
    tolerance: w.tolerance,
    trialsRefuted: w.trialsRefuted,
    worst: e && {
      index: Object.fromEntries(e.index.map((v, axis) => [result.indices[axis] ?? `axis${axis}`, v])),
      lhs: num(e.lhs),
      rhs: num(e.rhs),
      difference: num(e.difference),
      allowed: num(e.allowed),
      excess: num(e.excess),
      passes: e.passes,
      trial: e.trial,
      seed: e.seed,
      ...(e.check !== undefined ? { check: e.check } : {}),
      ...(e.direction !== undefined ? { direction: e.direction } : {}),
    },
    ...(w.coverage ? { coverage: { elements: w.coverage.elements, checked: w.coverage.checked, directions: w.coverage.directions } } : {}),
    ...(w.scaleSource ? { scaleSource: w.scaleSource } : {}),
    ...(w.kinks
      ? { kinks: { count: w.kinks.count, trial: w.kinks.trial, seed: w.kinks.seed, index: namedIndex(result, w.kinks.first.index) } }
      : {}),
    ...(w.imprecise
      ? { imprecise: { count: w.imprecise.count, trial: w.imprecise.trial, seed: w.imprecise.seed, index: namedIndex(result, w.imprecise.first.index), estimate: num(w.imprecise.first.estimate), tolerance: num(w.imprecise.first.tolerance) } }
      : {}),
    elapsedMs: w.elapsedMs,
  };
}

function claim(result: ClaimResult, cell?: Record<string, unknown>): z.infer<typeof Claim> {
  return {
    id: result.id,
    says: result.says,
    expect: result.expect,
    verdict: result.verdict,
    met: result.met,
    ...(result.message !== undefined ? { message: result.message } : {}),
    ...(result.note !== undefined ? { note: result.note } : {}),
    trials: result.trials,
    ...(result.judgedOnStep !== undefined ? { judgedOnStep: result.judgedOnStep } : {}),
    ...(result.vacuity ? { vacuity: result.vacuity } : {}),
    worlds: { reference: world(result, result.worlds.reference), tfjs: world(result, result.worlds.tfjs) },
    ...(cell ? { cell: cell as z.infer<typeof Claim>['cell'] } : {}),
  };
}

const cellRecord = (axes: readonly Axis[], values: readonly unknown[]) => Object.fromEntries(axes.map((a, k) => [a.name, values[k]]));

function agreementElement(e: AgreementElement): z.infer<typeof AgreementElement> {
  return { symbol: e.symbol, index: e.index, trial: e.trial, seed: e.seed, tfjs: num(e.tfjs), reference: num(e.reference), difference: num(e.difference), allowed: num(e.allowed) };
}

function agreement(a: AgreementResult, cell?: Record<string, unknown>): z.infer<typeof Agreement> {
  return {
    expect: a.expect,
    verdict: a.verdict,
    met: a.met,
    ...(a.message !== undefined ? { message: a.message } : {}),
    tolerance: a.tolerance,
    trials: a.trials,
    symbols: a.symbols,
    compared: a.compared,
    first: a.first && agreementElement(a.first),
    worst: a.worst && agreementElement(a.worst),
    departing: a.departing,
    sampled: a.sampled,
    ...(a.kinks ? { kinks: { count: a.kinks.count, first: { ...agreementElement(a.kinks.first), forward: num(a.kinks.first.forward), backward: num(a.kinks.first.backward) } } } : {}),
    ...(a.imprecise !== undefined ? { imprecise: a.imprecise } : {}),
    ...(cell ? { cell: cell as z.infer<typeof Agreement>['cell'] } : {}),
    elapsedMs: a.elapsedMs,
  };
}

function sweep(report: SweepReport): z.infer<typeof Sweep> {
  return {
    axes: report.axes.map((a) => ({ name: a.name, path: a.path, values: a.values as z.infer<typeof Sweep>['axes'][number]['values'] })),
    cells: report.cells.length,
    claims: claimMatrices(report).map((m) => ({
      id: m.id,
      expect: m.expect,
      holdsWhere: { kind: m.holdsWhere.kind, ...(m.holdsWhere.kind === 'condition' ? { condition: m.holdsWhere.text } : {}) },
      missed: m.missed.map((c) => cellRecord(report.axes, c.values) as z.infer<typeof Sweep>['claims'][number]['missed'][number]),
    })),
  };
}

function scenario(s: ScenarioReport): z.infer<typeof Scenario> {
  const invalid = s.problems
    ? {
        error: s.problems.map(formatProblemLong).join('\n'),
        problems: s.problems.map((p) => ({
          path: formatPath(p.path),
          message: p.message,
          ...(p.line !== undefined ? { line: p.line } : {}),
          ...(p.column !== undefined ? { column: p.column } : {}),
          ...(p.detail !== undefined ? { detail: p.detail } : {}),
        })),
      }
    : {};
  const checks = agreementsOf(s);
  const agreements = {
    ...(checks.length > 0 ? { agreement: checks.map((c) => agreement(c.agreement, c.values && s.sweep ? cellRecord(s.sweep.axes, c.values) : undefined)) } : {}),
    ...(s.notes ? { notes: s.notes.map((n) => ({ path: formatPath(n.path), message: n.message })) } : {}),
  };
  if (s.sweep) {
    const { axes, cells } = s.sweep;
    const claims = cells.flatMap((c) => c.claims.map((r) => claim(r, cellRecord(axes, c.values))));
    return { file: s.file, title: s.title, claims, sweep: sweep(s.sweep), ...agreements, elapsedMs: s.elapsedMs };
  }
  return { file: s.file, title: s.title, ...invalid, claims: s.claims.map((r) => claim(r)), ...agreements, elapsedMs: s.elapsedMs };
}

export function jsonReportOf(report: RunReport): JsonReport {
  return {
    tool: report.tool,
    version: report.version,
    backend: report.backend,
    scenarios: report.scenarios.map(scenario),
    summary: summaryOf(report),
    elapsedMs: report.elapsedMs,
  };
}

export function jsonReport(report: RunReport): string {
  return `${JSON.stringify(jsonReportOf(report), null, 2)}\n`;
}
