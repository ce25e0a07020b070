// A sweep's grid: its axes (name, path, values) and its cells, one value per axis. Cells are in
// row-major order over the axes as the file lists them: the last axis varies fastest.

export interface Axis {
  name: string;
  /** the JSON path the values are set at */
  path: string;
  values: unknown[];
}

/** One value index per axis, for every cell, the last axis fastest. */
export function cellIndices(axes: readonly Pick<Axis, 'values'>[]): number[][] {
  let cells: number[][] = [[]];
  for (const axis of axes) cells = cells.flatMap((prefix) => axis.values.map((_, v) => [...prefix, v]));
  return cells;
}

export const cellCount = (axes: readonly Axis[]): number => axes.reduce((n, a) => n * a.values.length, 1);

/** Strings in quotes, as `when` writes them; other values as JSON. */
export function formatAxisValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(value);
}

/** A value as a label: strings bare (`linear`), others as JSON (`[0]`). */
export const valueLabel = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** `[activation=linear, classes=2]` */
export function cellLabel(axes: readonly Axis[], values: readonly unknown[]): string {
  return `[${axes.map((a, k) => `${a.name}=${valueLabel(values[k])}`).join(', ')}]`;
}

/** Equal as JSON values (arrays element by element, objects key by key). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** One cell of a loaded sweep: its axis values and its scenario (expectations resolved). */
export interface SweepCell<S> {
  values: unknown[];
  scenario: S;
}

export interface SweepGrid<S> {
  axes: Axis[];
  cells: SweepCell<S>[];
  /** each claim's rules as written, by claim id (claims that give one verdict are absent) */
  rules: Record<string, { when?: string; expect: string }[]>;
}
