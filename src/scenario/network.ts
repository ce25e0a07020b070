import type { Blueprint, DefinitionBlueprint, TensorBlueprint } from './blueprint';
import type { Activation, Data, Model } from './schema';

// A network (`model` + `data`, DESIGN §1) as a computation: its tensors (x, W1, b1, …, y, in the
// order a trial draws them) and the definitions of DESIGN §2's symbols. The reference world runs
// these definitions like any computation's; the tfjs world builds the network from tfjs's own
// layers and losses instead (src/tfjs/networkTf.ts), so that the two stay independent.

/** Layer widths d0..dL. */
export function layerWidths(model: Model): number[] {
  return [model.inputs, ...model.layers.map((l) => l.units)];
}

/** Parameter names in order: W1, b1, W2, … (biases only where the layer has one). */
export function parameterNames(model: Model): string[] {
  return model.layers.flatMap((layer, i) => (layer.bias ? [`W${i + 1}`, `b${i + 1}`] : [`W${i + 1}`]));
}

const ACTIVATION: Record<Activation, (z: string) => string> = {
  linear: (z) => z,
  sigmoid: (z) => `sigmoid(${z})`,
  tanh: (z) => `tanh(${z})`,
  relu: (z) => `relu(${z})`,
};

/** Numbers one trial holds: parameters plus every activation (net, a, o), in both worlds. */
export function numbersPerTrial(model: Model, batch: number): number {
  const d = layerWidths(model);
  let total = batch * d[0];
  for (let l = 1; l < d.length; l++) total += d[l - 1] * d[l] + d[l] + 3 * batch * d[l];
  return total;
}

export function networkBlueprint(model: Model, data: Data): Blueprint {
  const d = layerWidths(model);
  const L = model.layers.length;
  const N = data.batch;
  const k = d[L];
  const tensors: TensorBlueprint[] = [{ name: 'x', shape: [N, d[0]], kind: 'input', draw: { kind: 'real', spec: data.x }, path: ['data', 'x'] }];
  model.layers.forEach((layer, i) => {
    const path = ['model', 'layers', i];
    tensors.push({ name: `W${i + 1}`, shape: [d[i], d[i + 1]], kind: 'parameter', draw: { kind: 'real', spec: layer.init }, path: [...path, 'init'] });
    if (layer.bias) tensors.push({ name: `b${i + 1}`, shape: [d[i + 1]], kind: 'parameter', draw: { kind: 'real', spec: layer.biasInit }, path: [...path, 'biasInit'] });
  });
  const y = data.targets !== undefined ? { kind: 'real' as const, spec: data.targets } : { kind: 'labels' as const, classes: k, labels: Array.isArray(data.labels) ? data.labels : ('random' as const) };
  tensors.push({ name: 'y', shape: [N, k], kind: 'target', draw: y, path: ['data', data.targets !== undefined ? 'targets' : 'labels'] });

  const definitions: DefinitionBlueprint[] = [];
  const define = (text: string, path: (string | number)[], helper: { hidden?: boolean; smooth?: boolean } = {}) => definitions.push({ text, kind: 'intermediate', path, ...helper });
  model.layers.forEach((layer, i) => {
    const l = i + 1;
    const input = l === 1 ? 'x' : `a${l - 1}`;
    const bias = layer.bias ? ` + b${l}[j]` : '';
    define(`net${l}[n,j] = sum(i, ${input}[n,i] * W${l}[i,j])${bias}`, ['model', 'layers', i]);
    define(`a${l}[n,j] = ${ACTIVATION[layer.activation](`net${l}[n,j]`)}`, ['model', 'layers', i, 'activation']);
  });
  const z = (n: string, c: string) => `a${L}[${n},${c}]`;
  const lossPath = ['model', 'loss'];
  // mean reduction divides the loss summed over the batch (and the outputs) by N
  const reduce = (body: string) => (model.loss.reduction === 'mean' ? `mean(n, ${body})` : `sum(n, ${body})`);
  let loss: Blueprint['loss'];
  switch (model.loss.type) {
    case 'softmax-cross-entropy':
      // softmax as the reference has always computed it: shifted by the row's largest logit
      // (the shift cancels, so its argmax switching is no kink of anything)
      define(`softmax_shift[n] = maxover(k, ${z('n', 'k')})`, lossPath, { hidden: true, smooth: true });
      define(`softmax_total[n] = sum(k, exp(${z('n', 'k')} - softmax_shift[n]))`, lossPath, { hidden: true });
      define(`o[n,k] = exp(${z('n', 'k')} - softmax_shift[n]) / softmax_total[n]`, lossPath);
      loss = {
        text: `-${reduce(`sum(k, y[n,k] * (${z('n', 'k')} - softmax_shift[n] - log(softmax_total[n])))`)}`,
        path: lossPath,
        through: { moved: ['o'], text: `-${reduce('sum(k, xlogy(y[n,k], o[n,k]))')}` },
      };
      break;
    case 'sigmoid-cross-entropy':
      define(`o[n,k] = sigmoid(${z('n', 'k')})`, lossPath);
      loss = {
        text: reduce(`sum(k, softplus(${z('n', 'k')}) - ${z('n', 'k')} * y[n,k])`),
        path: lossPath,
        through: { moved: ['o'], text: `-${reduce('sum(k, xlogy(y[n,k], o[n,k]) + xlogy(1 - y[n,k], 1 - o[n,k]))')}` },
      };
      break;
    case 'mse': {
      define(`o[n,k] = ${z('n', 'k')}`, lossPath);
      const half = model.loss.half ? ' / 2' : '';
      loss = { text: `${reduce('sum(k, (y[n,k] - o[n,k])^2)')}${half}`, path: lossPath };
      break;
    }
  }
  const compared = ['x', ...parameterNames(model)];
  for (let l = 1; l <= L; l++) compared.push(`net${l}`, `a${l}`);
  // under sigmoid cross-entropy ∂E/∂o is (o − y)/(o(1 − o)): from a float32 o near 0 or 1 it
  // cannot be resolved (1 − o ≈ 1.7e-5 at a logit of 11), and tfjs's is derivcheck's own formula
  // on o, not autodiff, so the check leaves o out there (claims on grad(E, o) still run)
  if (model.loss.type !== 'sigmoid-cross-entropy') compared.push('o');
  return {
    form: 'network',
    counts: new Map([['N', { value: N, path: ['data', 'batch'] }]]),
    tensors,
    definitions,
    loss,
    aliases: new Map([['a0', 'x']]),
    compared,
  };
}
