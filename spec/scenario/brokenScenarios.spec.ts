import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findScenarioFiles } from '../../src/scenario/findScenarioFiles';
import { loadScenarioFile, type LoadResult } from '../../src/scenario/loadScenario';
import { formatProblem } from '../../src/scenario/problem';

// Every file in spec/fixtures/broken is a real scenario file with one mistake in it; each must
// fail with exactly one problem, printed on one line as `file[:line:col]: path: reason`.

const fixtures = join(__dirname, '..', 'fixtures', 'broken');
const shipped = join(__dirname, '..', '..', 'scenarios');

/** The problems as printed, with the folder left off so the table reads as file names. */
function printed(result: LoadResult, folder: string): string[] | 'loaded OK' {
  if (result.ok) return 'loaded OK';
  return result.problems.map((p) => formatProblem(p).replace(`${folder}/`, ''));
}

const brokenFiles: [string, string][] = [
  ['invalid-json-trailing-comma.json', "invalid-json-trailing-comma.json:5:31: invalid JSON: Unexpected token ']'"],
  ['invalid-json-object-comma.json', 'invalid-json-object-comma.json:6:30: invalid JSON: Expected double-quoted property name'],
  ['invalid-json-bare-word.json', "invalid-json-bare-word.json:5:39: invalid JSON: Unexpected token 'o'"],
  ['units-string.json', 'units-string.json: model.layers[0].units: Invalid input: expected number, received string'],
  ['missing-loss.json', 'missing-loss.json: model.loss: missing (expected object)'],
  ['unknown-activation.json', 'unknown-activation.json: model.layers[0].activation: Invalid option: expected one of "linear"|"sigmoid"|"tanh"|"relu"'],
  ['unknown-loss.json', 'unknown-loss.json: model.loss.type: Invalid option: expected one of "softmax-cross-entropy"|"mse"|"sigmoid-cross-entropy"'],
  ['zero-units.json', 'zero-units.json: model.layers[0].units: Too small: expected number to be >=1'],
  ['negative-batch.json', 'negative-batch.json: data.batch: Too small: expected number to be >=1'],
  ['enormous-units.json', 'enormous-units.json: model.layers[0].units: Too big: expected number to be <=4096'],
  // 2048·1 + (2048·4096 + 4096 + 3·4096) + (4096·2 + 2 + 3·2): every width within LIMITS, the sum not
  ['enormous-network.json', 'enormous-network.json: model: this network holds 8415240 numbers per trial; the limit is 5000000'],
  ['values-wrong-shape.json', 'values-wrong-shape.json: model.layers[0].init.values: W1 needs shape [2, 2], the values have shape [3, 2]'],
  ['values-ragged.json', 'values-ragged.json: model.layers[0].init.values: ragged array: element 1 has shape [1], element 0 has [2]'],
  ['label-out-of-range.json', 'label-out-of-range.json: data.labels[1]: label 2 is out of range: the output has 2 units (0..1)'],
  ['wrong-label-count.json', 'wrong-label-count.json: data.labels: 3 labels for a batch of 2'],
  ['labels-and-targets.json', 'labels-and-targets.json: data: give labels or targets, not both'],
  ['neither-labels-nor-targets.json', 'neither-labels-nor-targets.json: data: give labels (class indices) or targets'],
  ['duplicate-claim-ids.json', "duplicate-claim-ids.json: claims[2].id: duplicate claim id 'output-error' (first at claims[0])"],
  ['unknown-key.json', 'unknown-key.json: Unrecognized key: "learningRate"'],
  [
    'softmax-after-sigmoid.json',
    "softmax-after-sigmoid.json: model.layers[1].activation: softmax-cross-entropy applies its own softmax to net2; the last layer's activation must be linear",
  ],
  ['constant-named-W1.json', "constant-named-W1.json: constants.W1: 'W1' is already a network symbol or function name"],
];

describe('broken scenario files', () => {
  it('has one row in the table for every file in spec/fixtures/broken', () => {
    const onDisk = readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual(brokenFiles.map(([file]) => file).sort());
  });

  it.each(brokenFiles)('%s', (file, expected) => {
    expect(printed(loadScenarioFile(join(fixtures, file)), fixtures)).toEqual([expected]);
  });

  it('reports a missing file as "cannot read: ENOENT"', () => {
    expect(printed(loadScenarioFile(join(fixtures, 'no-such-scenario.json')), fixtures)).toEqual([
      'no-such-scenario.json: cannot read: ENOENT',
    ]);
  });
});

describe('one bad file among good ones', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'derivcheck-broken-'));
    copyFileSync(join(fixtures, 'label-out-of-range.json'), join(folder, 'a-bad.json'));
    copyFileSync(join(shipped, 'variants', 'relu-hidden.json'), join(folder, 'b-good.json'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('does not stop the others from loading', () => {
    const results = findScenarioFiles([folder]).map((file) => {
      const result = loadScenarioFile(file);
      return { file: basename(file), outcome: result.ok ? result.scenario.title : printed(result, folder) };
    });
    expect(results).toEqual([
      { file: 'a-bad.json', outcome: ['a-bad.json: data.labels[1]: label 2 is out of range: the output has 2 units (0..1)'] },
      { file: 'b-good.json', outcome: 'ReLU hidden layer with biases, 3 classes, batch 4' },
    ]);
  });
});
