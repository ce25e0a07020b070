import { nearestName } from '../formula/nearestName';
import type { FormulaProblem } from '../formula/formulaError';

// A sweep axis's path into the scenario's JSON: names joined by dots, array indices in brackets
// (`model.layers[0].activation`, `data.labels`). Problems carry the position in the path, so
// they print with a caret under the part that is wrong, as formula errors do.

export type PathStep = { key: string; pos: number; end: number } | { index: number; pos: number; end: number };

export type PathResult = { ok: true; steps: PathStep[] } | { ok: false; problem: FormulaProblem };

const NAME = /[A-Za-z_$][A-Za-z0-9_$-]*/y;
const INDEX = /\[(\d+)\]/y;

/** The steps of a path, or where it cannot be read. */
export function parsePath(path: string): PathResult {
  const steps: PathStep[] = [];
  let at = 0;
  const fail = (pos: number, end: number, reason: string): PathResult => ({ ok: false, problem: { formula: path, pos, end, reason } });
  while (at < path.length) {
    if (steps.length > 0 && path[at] === '.') at++;
    else if (steps.length > 0 && path[at] !== '[') return fail(at, at + 1, `expected '.' or '[' in the path, found '${path[at]}'`);
    INDEX.lastIndex = at;
    NAME.lastIndex = at;
    const index = steps.length > 0 && path[at] === '[' ? INDEX.exec(path) : null;
    const name = index ? null : NAME.exec(path);
    if (index) {
      steps.push({ index: Number(index[1]), pos: at, end: at + index[0].length });
      at += index[0].length;
    } else if (name) {
      steps.push({ key: name[0], pos: at, end: at + name[0].length });
      at += name[0].length;
    } else {
      return fail(at, at + 1, path[at] === '[' ? 'expected an index like [0]' : 'expected a name');
    }
  }
  if (steps.length === 0) return fail(0, 0, 'expected a name');
  return { ok: true, steps };
}

/** The path up to and including step k, as written. */
const prefix = (path: string, steps: readonly PathStep[], k: number) => path.slice(0, steps[k].end);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether every step of the path is there in `json` (the value at its end is what the axis
 * replaces), or the first step that is not, with the keys or the length found there.
 */
export function pathProblem(path: string, steps: readonly PathStep[], json: unknown): FormulaProblem | null {
  let here: unknown = json;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k];
    const parent = k === 0 ? 'the scenario' : prefix(path, steps, k - 1);
    const fail = (reason: string): FormulaProblem => ({ formula: path, pos: step.pos, end: step.end, reason });
    if ('key' in step) {
      if (!isObject(here)) return fail(`${parent} is ${Array.isArray(here) ? 'an array: index it like [0]' : `not an object`}`);
      if (!Object.hasOwn(here, step.key)) {
        const near = nearestName(step.key, Object.keys(here));
        return fail(`${parent} has no '${step.key}'${near ? ` (did you mean '${near}'?)` : ''}; a sweep replaces what the file has, so write the field there first`);
      }
      here = here[step.key];
    } else {
      if (!Array.isArray(here)) return fail(`${parent} is not an array`);
      if (step.index >= here.length) return fail(`${parent} has ${here.length} element${here.length === 1 ? '' : 's'} (use 0..${here.length - 1})`);
      here = here[step.index];
    }
  }
  return null;
}

/** Sets the value at the end of an existing path (pathProblem found none). */
export function setAtPath(json: unknown, steps: readonly PathStep[], value: unknown): void {
  let here = json as Record<string | number, unknown>;
  for (const step of steps.slice(0, -1)) here = here['key' in step ? step.key : step.index] as Record<string | number, unknown>;
  const last = steps[steps.length - 1];
  here['key' in last ? last.key : last.index] = value;
}

/** Whether one path is the other or lies inside it (two axes would write the same place). */
export function overlaps(a: readonly PathStep[], b: readonly PathStep[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a[k];
    const y = b[k];
    if ('key' in x ? !('key' in y) || x.key !== y.key : 'key' in y || x.index !== y.index) return false;
  }
  return true;
}
