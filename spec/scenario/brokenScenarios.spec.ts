import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { loadScenarioChecked } from '../../src/run/runFile';
import { loadScenarioFile, parseScenarioText, type LoadResult } from '../../src/load/loadScenario';
import { formatProblem } from '../../src/foundation/problem';

// Every file in spec/fixtures/broken is a real scenario file with one mistake in it (in the JSON,
// the schema, the meaning or a formula); each must fail at load with exactly one problem, printed
// on one line as `file[:line:col]: path: reason [at character N]`.

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
  // more of the file's own fields: types, ranges, names
  ['claim-id-with-space.json', 'claim-id-with-space.json: claims[0].id: use letters, digits and - _ . : only'],
  ['claims-not-array.json', 'claims-not-array.json: claims: Invalid input: expected array, received object'],
  ['constant-bad-name.json', 'constant-bad-name.json: constants.2G: invalid name: a constant name is an identifier'],
  ['constant-named-proto.json', "constant-named-proto.json: constants.__proto__: '__proto__' cannot name a constant"],
  ['constant-ragged.json', 'constant-ragged.json: constants.G: ragged array: element 1 has shape [1], element 0 has [2]'],
  ['empty-file.json', 'empty-file.json:1:1: invalid JSON: Unexpected end of JSON input'],
  ['empty-lhs.json', 'empty-lhs.json: claims[0].lhs: Too small: expected string to have >=1 characters'],
  ['expect-unknown.json', 'expect-unknown.json: claims[0].expect: Invalid option: expected one of "holds"|"refuted"|"disputed"|"at-kink"'],
  ['half-with-softmax.json', 'half-with-softmax.json: model.loss.half: half applies to mse only'],
  ['inputs-fraction.json', 'inputs-fraction.json: model.inputs: Invalid input: expected int, received number'],
  ['labels-negative.json', 'labels-negative.json: data.labels[1]: Too small: expected number to be >=0'],
  ['layers-empty.json', 'layers-empty.json: model.layers: Too small: expected array to have >=1 items'],
  ['learning-rate-zero.json', 'learning-rate-zero.json: optimizer.learningRate: Too small: expected number to be >0'],
  ['missing-title.json', 'missing-title.json: title: missing (expected string)'],
  ['negative-tolerance.json', 'negative-tolerance.json: claims[0].tolerance.rtol: Too small: expected number to be >=0'],
  ['normal-negative-std.json', 'normal-negative-std.json: data.x.normal[1]: Too small: expected number to be >=0'],
  ['optimizer-unknown-type.json', 'optimizer-unknown-type.json: optimizer.type: Invalid option: expected one of "sgd"|"momentum"|"rmsprop"|"adam"'],
  ['adam-beta1-one.json', 'adam-beta1-one.json: optimizer.beta1: must be below 1: the bias correction divides by 1 − beta1^t'],
  ['momentum-without-momentum.json', 'momentum-without-momentum.json: optimizer.momentum: missing (expected number)'],
  ['optimizer-steps-zero.json', 'optimizer-steps-zero.json: optimizer.steps: Too small: expected number to be >=1'],
  ['rel-single-equals.json', 'rel-single-equals.json: claims[0].rel: Invalid option: expected one of "=="|"!="|"<"|"<="|">"|">="'],
  ['seed-negative.json', 'seed-negative.json: seed: Too small: expected number to be >=0'],
  ['targets-wrong-shape.json', 'targets-wrong-shape.json: data.targets.values: targets needs shape [2, 2], the values have shape [2, 3]'],
  ['trials-enormous.json', 'trials-enormous.json: trials: Too big: expected number to be <=1000'],
  ['trials-zero.json', 'trials-zero.json: trials: Too small: expected number to be >=1'],
  ['float32-overflow-constant.json', 'float32-overflow-constant.json: model.layers[0].init.constant: numbers must be finite float32 numbers (|v| < 3.4e38)'],
  ['float32-overflow-values.json', 'float32-overflow-values.json: data.x.values: values must be finite float32 numbers (|v| < 3.4e38)'],
  ['values-overflow.json', 'values-overflow.json: data.x.values[0][1]: expected a finite number or a nested array of finite numbers'],
  // formulas: parsed and checked at load, the position is a character offset into the field
  ['formula-comparison-in-rhs.json', "formula-comparison-in-rhs.json: claims[0].rhs: '>' makes a condition, and conditions belong in where or in ind(...), not in rhs (ind(c) is 1 where c holds, else 0) at character 0"],
  ['formula-delta-unknown-range.json', "formula-delta-unknown-range.json: claims[0].lhs: the range of index 'i' is unknown: use it to index a tensor (alone, as in W[i,j], or in an index expression whose other indices have ranges) at character 6"],
  ['formula-error-in-second-claim.json', "formula-error-in-second-claim.json: claims[1].rhs: expected an operator or the end of the formula, found ')' at character 36"],
  ['formula-grad-of-count.json', 'formula-grad-of-count.json: claims[0].lhs: grad(..., N) is not defined: N is a count, not a quantity that can vary at character 8'],
  ['formula-grad-of-non-scalar.json', 'formula-grad-of-non-scalar.json: claims[0].lhs: o has 2 axes; index it like o[i,j] at character 5'],
  ['formula-grad-without-indices.json', 'formula-grad-without-indices.json: claims[0].lhs: grad(E, W2) has the shape of W2: 2 axes; index it like grad(E, W2)[i,j] at character 0'],
  ['formula-index-out-of-range.json', 'formula-index-out-of-range.json: claims[0].rhs: index 2 is out of range for axis 0 of x, which has size 2 (use 0..1) at character 2'],
  ['formula-index-size-conflict.json', "formula-index-size-conflict.json: claims[0].rhs: index 'i' runs over axis 0 of grad(E, W1) (size 3) at its first use (character 12 of lhs), but over axis 0 of W2 (size 4) here at character 12"],
  ['formula-index-variable-as-value.json', "formula-index-variable-as-value.json: claims[0].rhs: 'k' is an index variable; as a number it can only appear in where, ind(...) or delta(...), else inside [...] or as the index of sum, mean, maxover or minover at character 0"],
  ['formula-next-of-non-parameter.json', 'formula-next-of-non-parameter.json: claims[0].lhs: next(o) is not defined: o is an intermediate, not a parameter at character 5'],
  ['formula-next-without-optimizer.json', 'formula-next-without-optimizer.json: claims[0].lhs: next(W1) needs an optimizer, and the scenario has none at character 0'],
  ['formula-number-too-large.json', "formula-number-too-large.json: claims[0].rhs: the number '1e999' is too large at character 0"],
  ['formula-stray-where-index.json', "formula-stray-where-index.json: claims[0].where: index 'm' in where is not a free index of lhs or rhs at character 2"],
  ['formula-sum-unused-index.json', "formula-sum-unused-index.json: claims[0].rhs: sum(k, ...) never uses 'k' to index a tensor, so its range is unknown at character 4"],
  ['formula-syntax-missing-operand.json', "formula-syntax-missing-operand.json: claims[0].rhs: expected an expression after '*', found the end of the formula at character 9"],
  ['formula-syntax-unclosed-paren.json', "formula-syntax-unclosed-paren.json: claims[0].rhs: expected ')' to close the '(' at character 9, found the end of the formula at character 21"],
  ['formula-unexpected-character.json', "formula-unexpected-character.json: claims[0].lhs: unexpected character '∂' at character 0"],
  ['formula-unknown-function-near-miss.json', "formula-unknown-function-near-miss.json: claims[0].rhs: unknown function 'sigmod' (did you mean 'sigmoid'?) at character 0"],
  ['formula-unknown-name-in-where.json', "formula-unknown-name-in-where.json: claims[0].where: unknown name 'kk' (did you mean the index 'j' or 'k'?): neither a symbol nor a free index of lhs or rhs at character 0"],
  // in where an unknown name is most often an index: the indices come before the symbols ('n' is not 'N')
  ['formula-where-index-not-symbol.json', "formula-where-index-not-symbol.json: claims[0].where: unknown name 'n' (did you mean the index 'j' or 'k', or the symbol 'N'?): neither a symbol nor a free index of lhs or rhs at character 0"],
  ['formula-max-over-index.json', "formula-max-over-index.json: claims[0].rhs: max(a, b) is the larger of two numbers, element by element; for the largest value over the index 'k' write maxover(k, ...) at character 0"],
  ['formula-unknown-symbol-constructor.json', "formula-unknown-symbol-constructor.json: claims[0].lhs: unknown symbol 'constructor' at character 0"],
  ['formula-unknown-symbol-near-miss.json', "formula-unknown-symbol-near-miss.json: claims[0].rhs: unknown symbol 'W3' (did you mean 'W2'?) at character 9"],
  ['formula-unknown-symbol-word.json', "formula-unknown-symbol-word.json: claims[0].rhs: unknown symbol 'ouput' (did you mean 'o', the network's output?) at character 0"],
  ['formula-where-not-condition.json', 'formula-where-not-condition.json: claims[0].where: where must be a condition, such as k == 0 or x[0,i] > 0 at character 0'],
  ['formula-wrong-arity.json', 'formula-wrong-arity.json: claims[0].rhs: exp takes 1 argument, got 2 at character 0'],
  ['formula-wrong-index-count.json', 'formula-wrong-index-count.json: claims[0].rhs: x has 2 axes but 1 index was given; index it like x[i,j] at character 2'],
  // computations (DESIGN §6), index expressions, a sum that would hide a free index
  ['computation-and-model.json', "computation-and-model.json: model: give model and data (a network) or computation (formulas), not both"],
  ['computation-defined-twice.json', "computation-defined-twice.json: computation.define[2]: 'mu' is already defined (computation.define[0]) at character 0"],
  ['computation-definition-stray-index.json', "computation-definition-stray-index.json: computation.define[0]: index 'n' is neither an axis of mu nor bound by a sum: add it to mu[...] or sum over it at character 10"],
  ['computation-grad-of-integer.json', "computation-grad-of-integer.json: claims[0].lhs: grad(..., t) is not defined: t is an integer tensor, data that is never differentiated at character 8"],
  ['computation-index-not-affine.json', "computation-index-not-affine.json: computation.define[1]: 'n*d' multiplies two index variables; an index is affine: a product needs a whole number on one side, as in 2*i at character 14"],
  ['computation-index-outside-axis.json', "computation-index-outside-axis.json: computation.define[1]: d + 1 runs from 1 to 3, outside axis 1 of x, which has size 3 (0..2); pad the tensor explicitly, as in pad(T, …), to read zeros there at character 25"],
  ['computation-integer-out-of-classes.json', "computation-integer-out-of-classes.json: computation.tensors.t.values: t holds classes 0..2; 3 is not one of them"],
  ['computation-loss-not-scalar.json', "computation-loss-not-scalar.json: computation.loss: the loss must be a number, but index 'n' is free: sum or average over it, as in mean(n, …) at character 0"],
  ['computation-real-tensor-as-index.json', "computation-real-tensor-as-index.json: computation.define[1]: gamma[d] cannot stand in an index: 'gamma' holds real numbers; only integer tensors (classes) can at character 14"],
  ['computation-shapes-do-not-fit.json', "computation-shapes-do-not-fit.json: computation.define[2]: index 'n' runs over axis 0 of gamma (size 3) at its first use (character 17 of define), but over axis 0 of xhat (size 4) here at character 27"],
  ['computation-unknown-name.json', "computation-unknown-name.json: computation.define[1]: unknown symbol 'mean_x' at character 21"],
  ['computation-unknown-size.json', "computation-unknown-size.json: computation.tensors.gamma.shape[0]: unknown size 'DD'; sizes are named in computation.sizes"],
  ['computation-uses-itself.json', "computation-uses-itself.json: computation.define[1]: xhat uses itself: a definition may use the tensors, the sizes and the definitions before it at character 21"],
  ['computation-uses-later.json', "computation-uses-later.json: computation.define[1]: out is defined later (computation.define[2]): a definition may use the tensors, the sizes and the definitions before it at character 21"],
  ['formula-index-outside-axis.json', "formula-index-outside-axis.json: claims[0].lhs: i + 1 runs from 1 to 3, outside axis 0 of W1, which has size 3 (0..2); pad the tensor explicitly, as in pad(T, …), to read zeros there at character 13"],
  ['formula-sum-shadows-free-index.json', "formula-sum-shadows-free-index.json: claims[0].rhs: 'd' is already a free index of the claim; a bound index needs a name of its own at character 4"],
  // sweeps: the sweep and its rules are checked first, then every cell as a scenario of its own
  ['sweep-axes-overlap.json', "sweep-axes-overlap.json: sweep.layer.path: sets the same place as axis 'activation' (model.layers[0].activation)"],
  ['sweep-no-rule-matches.json', 'sweep-no-rule-matches.json: claims[0].expect: no rule matches this cell; end the list with a rule without when (in cell [activation=tanh])'],
  ['sweep-path-missing.json', "sweep-path-missing.json: sweep.activation.path: model.layers[0] has no 'activaton' (did you mean 'activation'?); a sweep replaces what the file has, so write the field there first at character 16"],
  ['sweep-path-past-the-end.json', 'sweep-path-past-the-end.json: sweep.activation.path: model.layers has 2 elements (use 0..1) at character 12'],
  ['sweep-rules-without-sweep.json', 'sweep-rules-without-sweep.json: claims[0].expect: a list of rules needs a sweep; without one, give one verdict'],
  ['sweep-too-large.json', 'sweep-too-large.json: sweep: this sweep has 320 cells (8 × 8 × 5); the limit is 256'],
  ['sweep-value-refused.json', 'sweep-value-refused.json: model.layers[0].activation: Invalid option: expected one of "linear"|"sigmoid"|"tanh"|"relu" (in cells [activation=softmax, classes=2], [activation=softmax, classes=3])'],
  ['sweep-when-syntax.json', "sweep-when-syntax.json: claims[0].expect[0].when: expected a condition after 'and' at character 26"],
  ['sweep-when-unknown-axis.json', "sweep-when-unknown-axis.json: claims[0].expect[0].when: unknown axis 'activaton' (did you mean 'activation'?); the axes are activation at character 0"],
  ['sweep-when-unknown-value.json', "sweep-when-unknown-value.json: claims[0].expect[0].when: 'lineer' is not a value of axis activation (its values: 'linear', 'tanh') at character 14"],
];

describe('broken scenario files', () => {
  it('has one row in the table for every file in spec/fixtures/broken', () => {
    const onDisk = readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual(brokenFiles.map(([file]) => file).sort());
  });

  it.each(brokenFiles)('%s', (file, expected) => {
    expect(printed(loadScenarioChecked(join(fixtures, file)), fixtures)).toEqual([expected]);
  });

  it('holds at least 40 broken files', () => {
    expect(brokenFiles.length).toBeGreaterThanOrEqual(40);
  });

  it('reads a file that starts with a byte order mark', () => {
    const text = readFileSync(join(shipped, 'variants', 'relu-hidden.json'), 'utf8');
    const result = parseScenarioText(`\uFEFF${text}`, 'bom.json');
    expect(result.ok ? result.scenario.title : printed(result, '')).toBe('ReLU hidden layer with biases, 3 classes, batch 4');
  });

  it('reports a missing file as "cannot read: ENOENT"', () => {
    expect(printed(loadScenarioFile(join(fixtures, 'no-such-scenario.json')), fixtures)).toEqual([
      'no-such-scenario.json: cannot read: ENOENT',
    ]);
  });
});

describe('a problem inside a tensor spec', () => {
  const text = readFileSync(join(fixtures, 'values-overflow.json'), 'utf8');
  const x = '"x": { "values": [[0.5, 1e400, 0.5], [0.5, 0.5, 0.5]] }';
  it.each<[string, string]>([
    // the place inside the spec joins the path, down to the element that is wrong
    ['"x": { "values": [[0.5, 1e400, 0.5], [0.5, 0.5, 0.5]] }', 'data.x.values[0][1]: expected a finite number or a nested array of finite numbers'],
    ['"x": { "values": [[0.5, 0.5, 0.5], [0.5, 0.5, "a"]] }', 'data.x.values[1][2]: expected a finite number or a nested array of finite numbers'],
    ['"x": { "values": [[0.5, 0.5, 0.5], 1e400] }', 'data.x.values[1]: expected a finite number or a nested array of finite numbers'],
    ['"x": { "values": "a" }', 'data.x.values: Invalid input: expected array, received string'],
    ['"x": { "uniform": [0, "1"] }', 'data.x.uniform[1]: Invalid input: expected number, received string'],
  ])('%s', (spec, expected) => {
    expect(text).toContain(x);
    expect(printed(parseScenarioText(text.replace(x, spec), 'bad.json'), '')).toEqual([`bad.json: ${expected}`]);
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
