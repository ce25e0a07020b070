import type { Algebra, Evaluation } from '../formula/algebra';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import { elementwise } from '../formula/functions';
import type { CheckedFormulas } from '../formula/check';
import type { Expr } from '../formula/ast';
import type { CheckedComputation, Definition } from '../scenario/compile';
import type { TrialValues } from '../scenario/trialValues';
import { algebra64, type Value64 } from './algebra64';
import { derivative64, SideRecorder, type DerivativeOptions, type KinkAwareEstimate } from './kinks';

// The reference world's forward pass: every definition of the computation evaluated in float64,
// in order, by the one formula evaluator over the float64 algebra. While a move's function is
// evaluated (finite differences), the inputs of every kinked operation are shown to that move's
// recorder (src/reference/kinks.ts), so a step that crosses a kink is seen, in a definition or in
// the claim's own formula alike.

export type Env64 = Map<string, Value64>;

/** A definition's formula in the form a move uses (its own, or its `through` form). */
export interface Form {
  body: Expr;
  checked: CheckedFormulas;
  reads: Set<string>;
}

/** The algebra the reference world evaluates with, and the recorder it shows kinks to. */
export class KinkWatch {
  private recording: SideRecorder | null = null;
  private paused = 0;
  readonly algebra: Algebra<Value64>;

  constructor() {
    // what a kinked operation shows the recorder is computed only while one records
    const watching = () => this.recording !== null && this.paused === 0;
    const see = (values: ArrayLike<number>) => this.recording!.see(values);
    this.algebra = {
      ...algebra64,
      unary(op, t) {
        if (elementwise(op).kink && watching()) see(t.data);
        return algebra64.unary(op, t);
      },
      binary(op, a, b, reuseA) {
        const kink = elementwise(op).kink;
        if (kink === 'difference' && watching()) see(algebra64.binary('-', a, b).data);
        const out = algebra64.binary(op, a, b, kink === 'difference' ? false : reuseA);
        if (kink === 'result' && watching()) see(out.data);
        return out;
      },
      extreme(t, axis, which) {
        const out = algebra64.extreme(t, axis, which);
        // which element wins: each element's difference from the winner changes sign where another takes over
        if (watching()) see(algebra64.binary('-', t, algebra64.reshape(out, t.shape.map((s, a) => (a === axis ? 1 : s)))).data);
        return out;
      },
    };
  }

  /** `f` along a move, its calls' kinked inputs recorded by `sides` (at t = 0) or compared with those (else). */
  watched<R>(sides: SideRecorder, f: (t: number) => R): (t: number) => R {
    return (t) => {
      const outer = this.recording;
      this.recording = sides;
      sides.begin(t === 0);
      try {
        return f(t);
      } finally {
        sides.end();
        this.recording = outer;
      }
    };
  }

  /**
   * d/dt f(t) at t = 0 (derivative64), with the kinked inputs of every call of f watched by a
   * recorder of its own: a step that crosses a kink is seen, and how far along it the crossing was.
   */
  derivative(f: (t: number) => Float64Array, q: number, options: Omit<DerivativeOptions, 'crossed' | 'crossingAt'> = {}): KinkAwareEstimate {
    const sides = new SideRecorder();
    return derivative64(this.watched(sides, f), q, { ...options, crossed: () => sides.crossed(), crossingAt: () => sides.crossingAt() });
  }

  /** Runs `f` without watching (a smooth definition, whose kinks cancel in what uses it). */
  unwatched<R>(f: () => R): R {
    this.paused++;
    try {
      return f();
    } finally {
      this.paused--;
    }
  }
}

/** What evaluating the computation's formulas in `env` reads. */
export function evaluation(watch: KinkWatch, env: Env64): Evaluation<Value64> {
  return { algebra: watch.algebra, env, integers: (name) => env.get(name)!.data };
}

/** One definition's value in `env`, laid out over its axes. */
export function evaluateDefinition(definition: Definition, form: Form, env: Env64, watch: KinkWatch): Value64 {
  const run = () => expandTo(watch.algebra, new FormulaEvaluator(form.checked, evaluation(watch, env)).evaluate(form.body, env), definition.vars, definition.shape);
  return definition.smooth ? watch.unwatched(run) : run();
}

/** The definition's own form. */
export const mainForm = (d: Definition): Form => ({ body: d.body, checked: d.checked, reads: d.reads });

/** The form a definition is computed by while `name` moves: its `through` form where that names it, else its own. */
export const formWhileMoving = (d: Definition, name: string): Form => (d.through && d.through.moved.has(name) ? d.through : mainForm(d));

/** A symbol's own name (an alias resolved) and every alias of it: x and a0 of a network. */
export function namesOf(computation: Pick<CheckedComputation, 'aliases'>, symbol: string): string[] {
  const name = computation.aliases.get(symbol) ?? symbol;
  return [name, ...[...computation.aliases].filter(([, target]) => target === name).map(([alias]) => alias)];
}

/** Scalars as tensors: counts, the learning rate. */
const scalar = (value: number): Value64 => ({ shape: [], data: Float64Array.of(value) });

/** Everything but the definitions: tensors (and their other names), counts, constants, the learning rate. */
export function givenEnv(computation: CheckedComputation, values: TrialValues): Env64 {
  const env: Env64 = new Map();
  for (const [name, t] of values.tensors) env.set(name, t);
  for (const [alias, target] of computation.aliases) env.set(alias, env.get(target)!);
  for (const [name, value] of computation.counts) env.set(name, scalar(value));
  for (const [name, value] of values.constants) env.set(name, value);
  if (computation.optimizer) env.set('lr', scalar(computation.optimizer.learningRate));
  return env;
}

/** The trial's forward pass in float64: every definition, the loss E last. */
export function forward64(computation: CheckedComputation, values: TrialValues, watch: KinkWatch): Env64 {
  const env = givenEnv(computation, values);
  for (const d of computation.definitions) env.set(d.name, evaluateDefinition(d, mainForm(d), env, watch));
  return env;
}
