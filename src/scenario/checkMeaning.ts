import { layerWidths, networkSymbols } from '../model/symbols';
import { flattenNested, nestedShape, RaggedArrayError } from '../foundation/nested';
import { LIMITS, type Scenario, type TensorSpec } from './schema';
import { FUNCTIONS } from '../formula/functions';
import { KEYWORD_OPERATORS } from '../formula/scanner';

/** A problem found after the schema passed: the path inside the scenario and the reason. */
export interface MeaningProblem {
  path: (string | number)[];
  message: string;
}


/** Both worlds start from float32 numbers: a number past float32's range would be Infinity in one. */
function float32Problem(spec: TensorSpec, path: (string | number)[]): MeaningProblem[] {
  const numbers = 'constant' in spec ? [spec.constant] : 'uniform' in spec ? spec.uniform : 'normal' in spec ? spec.normal : [];
  const key = Object.keys(spec)[0];
  return numbers.some((v) => !Number.isFinite(Math.fround(v))) ? [{ path: [...path, key], message: 'numbers must be finite float32 numbers (|v| < 3.4e38)' }] : [];
}

function shapeProblem(spec: TensorSpec, shape: number[], path: (string | number)[], what: string): MeaningProblem[] {
  if (!('values' in spec)) return float32Problem(spec, path);
  try {
    const given = nestedShape(spec.values);
    if (given.length !== shape.length || given.some((s, i) => s !== shape[i])) {
      return [{ path: [...path, 'values'], message: `${what} needs shape [${shape.join(', ')}], the values have shape [${given.join(', ')}]` }];
    }
    if (flattenNested(spec.values).some((v) => !Number.isFinite(Math.fround(v)))) {
      return [{ path: [...path, 'values'], message: 'values must be finite float32 numbers (|v| < 3.4e38)' }];
    }
  } catch (e) {
    if (e instanceof RaggedArrayError) return [{ path: [...path, 'values'], message: e.message }];
    throw e;
  }
  return [];
}

/** Numbers one trial holds: parameters plus every activation, in both worlds. */
export function numbersPerTrial(scenario: Scenario): number {
  const d = layerWidths(scenario.model);
  let total = scenario.data.batch * d[0];
  for (let l = 1; l < d.length; l++) total += d[l - 1] * d[l] + d[l] + 3 * scenario.data.batch * d[l];
  return total;
}

/**
 * What the schema cannot say: shapes of exact values, labels against the output width, one
 * target source, unique claim ids, constant names, and the size limit.
 */
export function checkMeaning(scenario: Scenario): MeaningProblem[] {
  const problems: MeaningProblem[] = [];
  const { model, data } = scenario;
  const d = layerWidths(model);
  const N = data.batch;
  const L = model.layers.length;
  const dL = d[L];

  const numbers = numbersPerTrial(scenario);
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

  const reserved = networkSymbols(model, N);
  for (const [name, value] of Object.entries(scenario.constants)) {
    if (reserved.has(name) || FUNCTIONS.has(name) || KEYWORD_OPERATORS.has(name)) {
      problems.push({ path: ['constants', name], message: `'${name}' is already a network symbol or function name` });
      continue;
    }
    try {
      nestedShape(value);
      if (flattenNested(value).some((v) => !Number.isFinite(Math.fround(v)))) problems.push({ path: ['constants', name], message: 'constants must be finite float32 numbers (|v| < 3.4e38)' });
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
