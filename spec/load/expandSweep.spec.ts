import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarioText } from '../../src/load/loadScenario';
import { formatProblem } from '../../src/foundation/problem';
import { cellsOf } from '../../src/sweep/cellsOf';

// A file with a sweep loads as its cells: each axis's value set at its path, `sweep` gone, each
// claim's rules resolved to the cell's verdict (the first rule whose `when` matches).

const text = readFileSync(join(__dirname, '..', 'fixtures', 'sweep', 'unmet-cell.json'), 'utf8');
const load = (json: string) => parseScenarioText(json, 'sweep.json');

describe('a sweep, loaded', () => {
  it('has one scenario per cell, the last axis fastest, with the values set and the expectations resolved', () => {
    const loaded = load(text);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const cells = cellsOf(loaded).map((c) => ({
      label: c.label,
      activation: c.scenario.model!.layers[0].activation,
      units: c.scenario.model!.layers[1].units,
      expect: c.scenario.claims.map((claim) => claim.expect),
    }));
    expect(cells).toEqual([
      { label: ' [activation=linear, classes=2]', activation: 'linear', units: 2, expect: ['holds', 'holds'] },
      { label: ' [activation=linear, classes=3]', activation: 'linear', units: 3, expect: ['holds', 'holds'] },
      { label: ' [activation=sigmoid, classes=2]', activation: 'sigmoid', units: 2, expect: ['holds', 'holds'] },
      { label: ' [activation=sigmoid, classes=3]', activation: 'sigmoid', units: 3, expect: ['holds', 'holds'] },
      { label: ' [activation=tanh, classes=2]', activation: 'tanh', units: 2, expect: ['refuted', 'holds'] },
      { label: ' [activation=tanh, classes=3]', activation: 'tanh', units: 3, expect: ['refuted', 'holds'] },
    ]);
    expect(loaded.scenario).toBe(loaded.sweep!.cells[0].scenario);
    expect(loaded.sweep!.rules).toEqual({ 'hidden-error': [{ when: "activation in {'linear', 'sigmoid'}", expect: 'holds' }, { expect: 'refuted' }] });
  });

  it('sets any JSON value, an array or an object included, and leaves the rest of the file as it was', () => {
    const json = JSON.parse(text);
    json.sweep = { labels: { path: 'data.labels', values: [[0], [1]] }, init: { path: 'model.layers[1].init', values: [{ constant: 0.1 }, { normal: [0, 1] }] } };
    json.claims = [json.claims[1]];
    const loaded = load(JSON.stringify(json));
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    expect(cellsOf(loaded).map((c) => [c.label, c.scenario.data!.labels, c.scenario.model!.layers[1].init, c.scenario.model!.layers[0].init])).toEqual([
      [' [labels=[0], init={"constant":0.1}]', [0], { constant: 0.1 }, { normal: [0, 0.5] }],
      [' [labels=[0], init={"normal":[0,1]}]', [0], { normal: [0, 1] }, { normal: [0, 0.5] }],
      [' [labels=[1], init={"constant":0.1}]', [1], { constant: 0.1 }, { normal: [0, 0.5] }],
      [' [labels=[1], init={"normal":[0,1]}]', [1], { normal: [0, 1] }, { normal: [0, 0.5] }],
    ]);
  });

  it('names the cells where a formula fails to check (an index past the outputs with two classes)', () => {
    const json = JSON.parse(text);
    json.claims = [{ id: 'third-output', says: 'o_2 ≥ 0', lhs: 'o[0,2]', rel: '>=', rhs: '0', expect: 'holds' }];
    const loaded = load(JSON.stringify(json));
    expect(loaded.ok ? 'loaded' : loaded.problems.map(formatProblem)).toEqual([
      'sweep.json: claims[0].lhs: index 2 is out of range for axis 1 of o, which has size 2 (use 0..1) at character 4 (in cells [activation=linear, classes=2], [activation=sigmoid, classes=2], [activation=tanh, classes=2])',
    ]);
  });

  it('says a problem of every cell once, without naming cells', () => {
    const json = JSON.parse(text);
    delete json.title;
    const loaded = load(JSON.stringify(json));
    expect(loaded.ok ? 'loaded' : loaded.problems.map(formatProblem)).toEqual(['sweep.json: title: missing (expected string)']);
  });

  it('checks the sweep itself with the schema: an axis name that `when` could not read, an axis without values', () => {
    const json = JSON.parse(text);
    json.sweep['hidden units'] = { path: 'model.layers[0].units', values: [4] };
    const loaded = load(JSON.stringify(json));
    expect(loaded.ok ? 'loaded' : loaded.problems.map(formatProblem)).toEqual([
      'sweep.json: sweep.hidden units: invalid name: an axis name is an identifier (letters, digits, _), as `when` uses it',
    ]);
    json.sweep['hidden units'] = undefined;
    json.sweep.hidden = { path: 'model.layers[0].units', values: [] };
    const empty = load(JSON.stringify(json));
    expect(empty.ok ? 'loaded' : empty.problems.map(formatProblem)).toEqual(['sweep.json: sweep.hidden.values: Too small: expected array to have >=1 items']);
  });
});
