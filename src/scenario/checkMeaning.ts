import { flattenNested, nestedShape, RaggedArrayError, type Nested } from '../foundation/nested';
import { computationBlueprint } from './computationBlock';
import { layerWidths, numbersPerTrial } from './network';
import { LIMITS, type Computation, type Data, type Model, type Scenario, type TensorSpec } from './schema';

// What the schema cannot say: which form a scenario has, shapes of exact values, labels against
// the output width, one target source, integer values against their classes, unique claim ids,
// ragged or non-float32 constants, and the size limit of a network. Names and formulas are
// checked after this (compile.ts), once the scenario is known to hang together.

/** A problem found after the schema passed: the path inside the scenario and the reason. */
export interface MeaningProblem {
  path: (string | number)[];
  message: string;
}

const FLOAT32 = 'finite float32 numbers (|v| < 3.4e38)';

/** Both worlds start from float32 numbers: a number past float32's range would be Infinity in one. */
function float32Problem(spec: TensorSpec, path: (string | number)[]): MeaningProblem[] {
  const numbers = 'constant' in spec ? [spec.constant] : 'uniform' in spec ? spec.uniform : 'normal' in spec ? spec.normal : [];
  const key = Object.keys(spec)[0];
  return numbers.some((v) => !Number.isFinite(Math.fround(v))) ? [{ path: [...path, key], message: `numbers must be ${FLOAT32}` }] : [];
}

/** Exact values of the right shape (and each allowed by `check`), or the problem. */
function valuesProblem(values: Nested[], shape: number[], path: (string | number)[], what: string, check: (v: number) => string | undefined): MeaningProblem[] {
  try {
    const given = nestedShape(values);
    if (given.length !== shape.length || given.some((s, i) => s !== shape[i])) {
      return [{ path, message: `${what} needs shape [${shape.join(', ')}], the values have shape [${given.join(', ')}]` }];
    }
    for (const v of flattenNested(values)) {
      const problem = check(v);
      if (problem !== undefined) return [{ path, message: problem }];
    }
  } catch (e) {
    if (e instanceof RaggedArrayError) return [{ path, message: e.message }];
    throw e;
  }
  return [];
}

function shapeProblem(spec: TensorSpec, shape: number[], path: (string | number)[], what: string): MeaningProblem[] {
  if (!('values' in spec)) return float32Problem(spec, path);
  return valuesProblem(spec.values, shape, [...path, 'values'], what, (v) => (Number.isFinite(Math.fround(v)) ? undefined : `values must be ${FLOAT32}`));
}

function checkNetwork(model: Model, data: Data): MeaningProblem[] {
  const problems: MeaningProblem[] = [];
  const d = layerWidths(model);
  const N = data.batch;
  const L = model.layers.length;
  const dL = d[L];
  const numbers = numbersPerTrial(model, N);
  if (numbers > LIMITS.numbers) {
    problems.push({ path: ['model'], message: `this network holds ${numbers} numbers per trial; the limit is ${LIMITS.numbers}` });
  }
  model.layers.forEach((layer, i) => {
    problems.push(...shapeProblem(layer.init, [d[i], d[i + 1]], ['model', 'layers', i, 'init'], `W${i + 1}`));
    if (layer.bias) problems.push(...shapeProblem(layer.biasInit, [d[i + 1]], ['model', 'layers', i, 'biasInit'], `b${i + 1}`));
  });
  const last = model.layers[L - 1];
  if (model.loss.type !== 'mse' && last.activation !== 'linear') {
    problems.push({
      path: ['model', 'layers', L - 1, 'activation'],
      message: `${model.loss.type} applies its own ${model.loss.type.startsWith('softmax') ? 'softmax' : 'sigmoid'} to net${L}; the last layer's activation must be linear`,
    });
  }
  if (model.loss.half && model.loss.type !== 'mse') {
    problems.push({ path: ['model', 'loss', 'half'], message: 'half applies to mse only' });
  }
  problems.push(...shapeProblem(data.x, [N, d[0]], ['data', 'x'], 'x'));
  if (data.labels !== undefined && data.targets !== undefined) {
    problems.push({ path: ['data'], message: 'give labels or targets, not both' });
  } else if (data.labels === undefined && data.targets === undefined) {
    problems.push({ path: ['data'], message: 'give labels (class indices) or targets' });
  }
  if (Array.isArray(data.labels)) {
    if (data.labels.length !== N) {
      problems.push({ path: ['data', 'labels'], message: `${data.labels.length} labels for a batch of ${N}` });
    }
    data.labels.forEach((label, n) => {
      if (label >= dL) problems.push({ path: ['data', 'labels', n], message: `label ${label} is out of range: the output has ${dL} units (0..${dL - 1})` });
    });
  }
  if (data.targets !== undefined) problems.push(...shapeProblem(data.targets, [N, dL], ['data', 'targets'], 'targets'));
  return problems;
}

function checkComputation(block: Computation): MeaningProblem[] {
  const { blueprint, problems } = computationBlueprint(block);
  if (problems.length > 0) return problems;
  for (const t of blueprint.tensors) {
    if (t.draw.kind === 'real') problems.push(...shapeProblem(t.draw.spec, t.shape, [...t.path, 'init'], t.name));
    else if (t.draw.kind === 'integer' && t.draw.values) {
      const { classes } = t.draw;
      problems.push(...valuesProblem(t.draw.values, t.shape, [...t.path, 'values'], t.name, (v) => (Number.isInteger(v) && v >= 0 && v < classes ? undefined : `${t.name} holds classes 0..${classes - 1}; ${v} is not one of them`)));
    }
  }
  return problems;
}

export function checkMeaning(scenario: Scenario): MeaningProblem[] {
  const problems: MeaningProblem[] = [];
  const { model, data, computation } = scenario;
  if (computation !== undefined && (model !== undefined || data !== undefined)) {
    problems.push({ path: [model !== undefined ? 'model' : 'data'], message: 'give model and data (a network) or computation (formulas), not both' });
  } else if (computation !== undefined) {
    problems.push(...checkComputation(computation));
  } else if (model === undefined || data === undefined) {
    problems.push({ path: [model === undefined ? 'model' : 'data'], message: 'missing: give model and data (a network, DESIGN §1), or computation (formulas, DESIGN §6)' });
  } else {
    problems.push(...checkNetwork(model, data));
  }
  for (const [name, value] of Object.entries(scenario.constants)) {
    try {
      nestedShape(value);
      if (flattenNested(value).some((v) => !Number.isFinite(Math.fround(v)))) problems.push({ path: ['constants', name], message: `constants must be ${FLOAT32}` });
    } catch (e) {
      if (e instanceof RaggedArrayError) problems.push({ path: ['constants', name], message: e.message });
      else throw e;
    }
  }
  const seen = new Map<string, number>();
  scenario.claims.forEach((claim, i) => {
    const first = seen.get(claim.id);
    if (first !== undefined) problems.push({ path: ['claims', i, 'id'], message: `duplicate claim id '${claim.id}' (first at claims[${first}])` });
    else seen.set(claim.id, i);
  });
  return problems;
}
