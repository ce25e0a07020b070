import { CAPS, heatmapLayout } from '../../../src/report/html/heatmapLayout';

// What a heat map draws: a strip for one axis, a grid for two, a slice through the worst element
// for more; past the caps, a window around the worst element, said in words.

describe('heatmapLayout', () => {
  it.each<[string, string[], number[], number[] | null, { rows: [number, number] | null; columns: [number, number]; fixed: string; cut: string; first: number; last: number }]>([
    ['a strip', ['k'], [3], [1], { rows: null, columns: [0, 2], fixed: '', cut: '', first: 0, last: 2 }],
    ['a grid', ['i', 'j'], [10, 20], [4, 7], { rows: [0, 9], columns: [0, 19], fixed: '', cut: '', first: 0, last: 199 }],
    [
      'a long strip: a window around the worst element',
      ['j'],
      [1000],
      [500],
      { rows: null, columns: [500 - CAPS.strip / 2, 500 + CAPS.strip / 2 - 1], fixed: '', cut: `j 452–547 of 1000, around the worst element`, first: 452, last: 547 },
    ],
    [
      'a large grid, worst near a corner: the window stays inside',
      ['i', 'j'],
      [100, 200],
      [99, 0],
      { rows: [60, 99], columns: [0, 47], fixed: '', cut: 'i 60–99 of 100; j 0–47 of 200, around the worst element', first: 60 * 200, last: 99 * 200 + 47 },
    ],
    [
      'rank 3: the slice through the worst element',
      ['i', 'k', 'j'],
      [10, 3, 20],
      [2, 1, 5],
      { rows: [0, 2], columns: [0, 19], fixed: 'i=2', cut: 'the slice i=2 of 10 × 3 × 20 elements, around the worst element', first: 2 * 60, last: 2 * 60 + 59 },
    ],
  ])('%s', (_name, vars, sizes, worst, expected) => {
    const layout = heatmapLayout(vars, sizes, worst);
    const rows = layout.rows ? layout.rows.to - layout.rows.from + 1 : 1;
    const columns = layout.columns.to - layout.columns.from + 1;
    expect({
      rows: layout.rows && [layout.rows.from, layout.rows.to],
      columns: [layout.columns.from, layout.columns.to],
      fixed: layout.fixed.map((f) => `${f.name}=${f.value}`).join(', '),
      cut: layout.cut,
      first: layout.flat(0, 0),
      last: layout.flat(rows - 1, columns - 1),
    }).toEqual(expected);
  });
});
