import { h, type ComponentChild } from 'preact';
import { formatNumber } from '../describeClaim';
import { EMPTY, gradientStops, type DIVERGING, type SEQUENTIAL } from './colours';
import { CELL_STATE } from './collectElements';
import type { ClaimElements } from './collectElements';

// One heat map as inline SVG: a cell per element of the window (a strip for one axis), its colour
// from a labelled scale, the worst element outlined, every cell titled with its index and value
// for a pointer, and the whole described in its aria-label for a screen reader.

const CELL = 12;

export interface HeatmapProps {
  /** `lhs`, `rhs` or `lhs − rhs` */
  name: string;
  values: Float64Array;
  state: Uint8Array;
  layout: NonNullable<ClaimElements['layout']>;
  colour: (v: number) => string;
  /** index of the worst element (all axes), if it is in the window */
  worst: readonly number[] | null;
  vars: readonly string[];
  /** what the aria-label says first, e.g. "reference world, lhs" */
  describe: string;
}

/** Every k-th index labelled, k chosen so that about 8 labels fit. */
const labelled = (from: number, count: number) => {
  const step = Math.max(1, Math.ceil(count / 8));
  return Array.from({ length: count }, (_, k) => k).filter((k) => (from + k) % step === 0);
};

export function Heatmap(props: HeatmapProps): ComponentChild {
  const { layout, values, state } = props;
  const rows = layout.rows ? layout.rows.to - layout.rows.from + 1 : 1;
  const columns = layout.columns.to - layout.columns.from + 1;
  // a large map is drawn smaller: its index labels grow with it, to stay readable
  const font = Math.max(8, Math.round((columns * CELL) / 40));
  const TOP = font * 2;
  // room on the left for the row indices (a strip has none)
  const left = layout.rows ? font * 3.5 : font * 1.5;
  const width = left + columns * CELL;
  const height = TOP + rows * CELL;
  const indexAt = (r: number, c: number) => [...layout.fixed.map((f) => f.value), ...(layout.rows ? [layout.rows.from + r] : []), layout.columns.from + c];
  const named = (index: readonly number[]) => index.map((v, k) => `${props.vars[k]}=${v}`).join(', ');
  const cells: ComponentChild[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const k = r * columns + c;
      const v = values[k];
      const fill = state[k] !== CELL_STATE.value ? EMPTY.unselected : Number.isFinite(v) ? props.colour(v) : EMPTY.nonFinite;
      const words = state[k] === CELL_STATE.unselected ? 'not selected by where' : state[k] === CELL_STATE.unchecked ? 'not checked' : formatNumber(v);
      if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      cells.push(h('rect', { x: left + c * CELL, y: TOP + r * CELL, width: CELL, height: CELL, fill }, h('title', null, `[${named(indexAt(r, c))}] ${props.name}: ${words}`)));
    }
  }
  const worstAt = props.worst && props.worst.length === props.vars.length ? windowCell(props.worst, layout) : null;
  const marker = worstAt && [
    h('rect', { x: left + worstAt.c * CELL + 1, y: TOP + worstAt.r * CELL + 1, width: CELL - 2, height: CELL - 2, fill: 'none', stroke: '#fff', 'stroke-width': 1.5 }),
    h('rect', { x: left + worstAt.c * CELL - 0.5, y: TOP + worstAt.r * CELL - 0.5, width: CELL + 1, height: CELL + 1, fill: 'none', stroke: '#000', 'stroke-width': Math.max(2, font / 4) }),
  ];
  const columnLabels = labelled(layout.columns.from, columns).map((c) =>
    h('text', { x: left + c * CELL + CELL / 2, y: TOP - font / 2, 'text-anchor': 'middle', class: 'tick' }, String(layout.columns.from + c)),
  );
  const rowLabels = layout.rows
    ? labelled(layout.rows.from, rows).map((r) => h('text', { x: left - font / 2, y: TOP + r * CELL + CELL / 2 + font / 3, 'text-anchor': 'end', class: 'tick' }, String(layout.rows!.from + r)))
    : [];
  const axes = layout.rows ? `${layout.rows.name} down, ${layout.columns.name} across` : `${layout.columns.name} across`;
  const range = lo <= hi ? `values from ${formatNumber(lo)} to ${formatNumber(hi)}` : 'no finite values';
  const worstWords = props.worst ? `; the worst element [${named(props.worst)}] ${worstAt ? 'is outlined' : 'is outside the window'}` : '';
  const label = `${props.describe}: heat map, ${axes}, ${range}${worstWords}`;
  return h(
    'svg',
    { class: 'heatmap', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, style: `max-width:${width * 2}px`, 'font-size': font },
    h('title', null, label),
    h('text', { x: 0, y: TOP - font / 2, class: 'tick axis' }, layout.rows ? `${layout.rows.name}\\${layout.columns.name}` : layout.columns.name),
    ...columnLabels,
    ...rowLabels,
    ...cells,
    // a frame, so that cells as white as the page still show where the map is
    h('rect', { x: left - 0.5, y: TOP - 0.5, width: columns * CELL + 1, height: rows * CELL + 1, fill: 'none', stroke: '#8a8a8a', 'stroke-width': 1 }),
    ...(marker ?? []),
  );
}

/** Where an element's index falls in the window, or null outside it. */
function windowCell(index: readonly number[], layout: NonNullable<ClaimElements['layout']>): { r: number; c: number } | null {
  const rank = index.length;
  if (layout.fixed.some((f, k) => index[k] !== f.value)) return null;
  const c = index[rank - 1] - layout.columns.from;
  const r = layout.rows ? index[rank - 2] - layout.rows.from : 0;
  const rows = layout.rows ? layout.rows.to - layout.rows.from + 1 : 1;
  return c >= 0 && c <= layout.columns.to - layout.columns.from && r >= 0 && r < rows ? { r, c } : null;
}

export interface LegendProps {
  title: string;
  scale: typeof SEQUENTIAL | typeof DIVERGING;
  /** labels under the bar: its left end, (for a diverging scale) its middle, its right end */
  labels: string[];
  id: string;
}

/** A labelled colour bar. */
export function Legend(props: LegendProps): ComponentChild {
  const stops = gradientStops(props.scale);
  const anchors = props.labels.length === 3 ? ['start', 'middle', 'end'] : ['start', 'end'];
  const xs = props.labels.length === 3 ? [0, 100, 200] : [0, 200];
  return h(
    'figure',
    { class: 'legend' },
    h(
      'svg',
      { viewBox: '0 0 200 30', role: 'img', 'aria-label': `colour scale of ${props.title}: from ${props.labels[0]} to ${props.labels[props.labels.length - 1]}` },
      h('defs', null, h('linearGradient', { id: props.id }, ...stops.map((s) => h('stop', { offset: s.offset, 'stop-color': s.colour })))),
      h('rect', { x: 0, y: 0, width: 200, height: 12, fill: `url(#${props.id})` }),
      ...props.labels.map((text, k) => h('text', { x: xs[k], y: 26, 'text-anchor': anchors[k], class: 'tick' }, text)),
    ),
    h('figcaption', null, props.title),
  );
}
