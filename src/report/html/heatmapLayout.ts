// Which elements a heat map draws, and where: a 1-D claim as a strip, a 2-D one as a grid, a
// higher rank sliced through its worst element (the leading indices fixed there). A claim larger
// than the caps shows a window around its worst element, and says so.

export const CAPS = { strip: 96, rows: 40, columns: 48 } as const;

export interface AxisWindow {
  name: string;
  size: number;
  /** first and last index shown */
  from: number;
  to: number;
}

export interface HeatmapLayout {
  /** the row axis (absent for a strip) and the column axis */
  rows: AxisWindow | null;
  columns: AxisWindow;
  /** leading axes held at one index (higher ranks) */
  fixed: { name: string; value: number }[];
  /** flat position in the claim's elements of the cell at (row, column) of the window */
  flat: (row: number, column: number) => number;
  /** what the map leaves out, in words; empty when it shows every element */
  cut: string;
}

/** `count` indices out of `size`, around `centre`. */
function window(name: string, size: number, centre: number, count: number): AxisWindow {
  if (size <= count) return { name, size, from: 0, to: size - 1 };
  const from = Math.min(Math.max(0, centre - Math.floor(count / 2)), size - count);
  return { name, size, from, to: from + count - 1 };
}

const shownIn = (w: AxisWindow) => (w.from === 0 && w.to === w.size - 1 ? '' : `${w.name} ${w.from}–${w.to} of ${w.size}`);

/** The layout for elements of these sizes (rank ≥ 1), around the worst element's index. */
export function heatmapLayout(vars: readonly string[], sizes: readonly number[], worst: readonly number[] | null): HeatmapLayout {
  const rank = sizes.length;
  const at = (axis: number) => worst?.[axis] ?? 0;
  const strides = sizes.map((_, k) => sizes.slice(k + 1).reduce((a, b) => a * b, 1));
  const fixed = sizes.slice(0, Math.max(0, rank - 2)).map((_, k) => ({ name: vars[k], value: at(k) }));
  const base = fixed.reduce((sum, f, k) => sum + f.value * strides[k], 0);
  const columns = window(vars[rank - 1], sizes[rank - 1], at(rank - 1), rank === 1 ? CAPS.strip : CAPS.columns);
  const rows = rank >= 2 ? window(vars[rank - 2], sizes[rank - 2], at(rank - 2), CAPS.rows) : null;
  const flat = (row: number, column: number) => base + (rows ? (rows.from + row) * strides[rank - 2] : 0) + columns.from + column;
  const parts = [
    ...(fixed.length > 0 ? [`the slice ${fixed.map((f) => `${f.name}=${f.value}`).join(', ')} of ${sizes.join(' × ')} elements`] : []),
    ...[rows, columns].flatMap((w) => (w && shownIn(w) ? [shownIn(w)] : [])),
  ];
  return { rows, columns, fixed, flat, cut: parts.length > 0 ? `${parts.join('; ')}, around the worst element` : '' };
}
