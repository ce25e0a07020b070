// A formula error is data (reason + span in the formula); renderFormulaError is the one place
// that turns it into words with the position and a caret under the span.

export interface FormulaProblem {
  /** start of the offending span, a 0-based character offset into `formula` */
  pos: number;
  /** end of the span (exclusive); equal to pos for "at the end of the formula" */
  end: number;
  /** the words, without the position (see messages.ts) */
  reason: string;
  formula: string;
}

export class FormulaError extends Error implements FormulaProblem {
  readonly pos: number;
  readonly end: number;
  readonly reason: string;
  readonly formula: string;

  constructor(problem: FormulaProblem) {
    super(renderFormulaError(problem));
    this.name = 'FormulaError';
    this.pos = problem.pos;
    this.end = problem.end;
    this.reason = problem.reason;
    this.formula = problem.formula;
  }
}

/** Throws the error for `reason` at [pos, end) of `formula`. Every scanner, parser and checker error goes through here. */
export function failAt(formula: string, pos: number, end: number, reason: string): never {
  throw new FormulaError({ formula, pos, end: Math.max(pos, end), reason });
}

const WINDOW = 60; // characters shown on each side of the span when the formula is long

/**
 * "reason at character N", then the formula (indented two spaces) and a caret line under the
 * span. Long formulas are cut to a window around the span; tabs and newlines show as spaces so
 * the caret stays aligned.
 */
export function renderFormulaError(problem: FormulaProblem): string {
  const { formula, reason } = problem;
  const pos = Math.min(Math.max(0, problem.pos), formula.length);
  const end = Math.min(Math.max(pos, problem.end), formula.length);
  const from = Math.max(0, pos - WINDOW);
  const to = Math.min(formula.length, Math.max(end, pos + 1) + WINDOW, pos + 3 * WINDOW);
  const head = from > 0 ? '…' : '';
  const tail = to < formula.length ? '…' : '';
  const shown = formula.slice(from, to).replace(/\s/g, ' ');
  // Columns count code points, so a caret after an emoji or '∂' still lines up.
  const column = [...head].length + [...formula.slice(from, pos)].length;
  const width = Math.max(1, [...formula.slice(pos, Math.min(end, to))].length);
  return `${reason} at character ${pos}\n  ${head}${shown}${tail}\n  ${' '.repeat(column)}${'^'.repeat(width)}`;
}
