// Problems with a scenario file are data: where (file, path in the JSON, line/column or formula
// position) and why. This is the one place that turns them into words.

export interface Problem {
  file: string;
  /** path inside the scenario, e.g. ['model', 'layers', 1, 'units']; [] for the file as a whole */
  path: (string | number)[];
  message: string;
  /** 1-based line and column in the file, for JSON syntax errors */
  line?: number;
  column?: number;
  /** extra lines shown under the message (a formula with a caret) */
  detail?: string;
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** One line: `file:line:column: path: reason`. */
export function formatProblem(problem: Problem): string {
  const where = problem.line !== undefined ? `${problem.file}:${problem.line}:${problem.column ?? 1}` : problem.file;
  const path = formatPath(problem.path);
  return `${where}: ${path === '' ? '' : `${path}: `}${problem.message}`;
}

/** The one-line form plus the detail lines (formula and caret), indented. */
export function formatProblemLong(problem: Problem): string {
  const head = formatProblem(problem);
  if (!problem.detail) return head;
  return `${head}\n${problem.detail.replace(/^/gm, '    ')}`;
}
