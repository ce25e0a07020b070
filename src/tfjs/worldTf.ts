import * as tf from '@tensorflow/tfjs';
import type { World } from '../formula/algebra';
import { parameterNames } from '../model/symbols';
import type { Scenario } from '../scenario/schema';
import { algebraTf } from './algebraTf';
import { forwardTf, toTf, type TrialTensors } from './networkTf';
import { optimizeTf } from './optimizersTf';

/** The trial's tensors with the parameters (named W1, b1, … in `names` order) replaced. */
function withParameters(inputs: TrialTensors, names: string[], params: tf.Tensor[]): TrialTensors {
  return {
    ...inputs,
    weights: inputs.weights.map((_, i) => params[names.indexOf(`W${i + 1}`)] as tf.Tensor2D),
    biases: inputs.biases.map((b, i) => (b ? (params[names.indexOf(`b${i + 1}`)] as tf.Tensor1D) : null)),
  };
}

/**
 * What the tfjs world of one trial shares between claims: the forward pass and ∂E/∂P for every
 * parameter P, from one tf.grads (the forward pass that tf.grads runs is the one kept), and the
 * gradient scale. Tensors are kept past tf.tidy; `dispose` frees them (never the trial's inputs,
 * though `uploadWeightsAgain` swaps some of those for fresh uploads).
 */
export interface TfTrial {
  /** the forward pass of the trial (tfjs tensors, kept) */
  env: Map<string, tf.Tensor>;
  /**
   * ∂E/∂P for parameter P (kept; computed on first use with the forward pass), ∂E/∂S for a symbol
   * S named in the `alsoDifferentiate` option (kept; one tf.grad on first use), else null
   */
  lossGradient(symbol: string): tf.Tensor | null;
  /** max |∂E/∂P| over every parameter, from the same gradients */
  gradientScale(): number;
  /** flat element of largest |∂E/∂P| for each of these parameters (where the reference looks for the scale) */
  largestGradientElements(names: readonly string[]): Map<string, number>;
  /**
   * Swaps each weight matrix of at least `minSize` elements for a fresh upload of the same
   * float32 values (`weights`, the trial's), in the trial's inputs and its forward pass, and
   * disposes the old tensor. On wasm this frees what XNNPACK keeps next to a matrix once a product
   * has used it (a packed copy as large as the matrix, until the tensor is disposed), so the
   * claims' tensors take that memory instead of growing the wasm heap (issue #6).
   */
  uploadWeightsAgain(weights: readonly { data: Float32Array | Float64Array; shape: number[] }[], minSize: number): void;
  dispose(): void;
}

/**
 * The shared part of one trial's tfjs world. With `withGradients`, the forward pass is the one
 * of tf.grads (one forward+backward in all); without, a plain forward pass, and tf.grads only if
 * a gradient is asked for after all. `alsoDifferentiate` names symbols besides the parameters
 * (the input, the intermediates, o: the built-in gradient check's) whose ∂E/∂S lossGradient
 * answers too, each by one tf.grad with S held at its forward value (forwardTf's override),
 * computed when first asked for; the claims' trials do not ask, and pay nothing for it.
 */
export function tfjsTrial(scenario: Scenario, inputs: TrialTensors, options: { withGradients?: boolean; alsoDifferentiate?: readonly string[] } = {}): TfTrial {
  const { model } = scenario;
  const names = parameterNames(model);
  const also = new Set(options.alsoDifferentiate?.filter((s) => !names.includes(s) && s !== 'E' && s !== 'N'));
  const held = new Map<string, tf.Tensor>();
  const owned = new Set<tf.Tensor>([inputs.x, inputs.y, ...inputs.weights, ...inputs.biases.filter((b): b is tf.Tensor1D => b !== null), ...inputs.constants.values()]);
  let grads: Map<string, tf.Tensor> | null = null;
  let scale: number | undefined;
  const keepEnv = (e: Map<string, tf.Tensor>) => {
    for (const t of e.values()) if (!owned.has(t)) tf.keep(t);
    return e;
  };
  const computeGrads = (keepForward: boolean): Map<string, tf.Tensor> => {
    let forward: Map<string, tf.Tensor> | null = null;
    const gs = tf.tidy(() =>
      tf.grads((...ps: tf.Tensor[]) => {
        const e = forwardTf(model, withParameters(inputs, names, ps));
        if (keepForward) forward = keepEnv(e);
        return e.get('E')!;
      })(names.map((n) => parameterOf(inputs, n))),
    );
    // tidy returned them: they belong to the enclosing scope unless kept
    for (const g of gs) tf.keep(g);
    if (keepForward) env = forward!;
    return new Map(names.map((n, i) => [n, gs[i]]));
  };
  let env!: Map<string, tf.Tensor>;
  let failed = false;
  if (options.withGradients) {
    try {
      grads = computeGrads(true);
    } catch {
      failed = true; // asked for again by a claim, inside its own guard, where the error is reported
    }
  }
  if (!options.withGradients || failed) {
    tf.tidy(() => {
      env = keepEnv(forwardTf(model, inputs));
    });
  }
  const gradients = (): Map<string, tf.Tensor> => (grads ??= computeGrads(false));
  const heldGradient = (symbol: string): tf.Tensor => {
    let g = held.get(symbol);
    if (!g) {
      const base = env.get(symbol);
      if (!base) throw new Error(`no symbol ${symbol} in this network`);
      g = tf.keep(tf.tidy(() => tf.grad((q: tf.Tensor) => forwardTf(model, inputs, { symbol, value: q }).get('E')!)(base)));
      held.set(symbol, g);
    }
    return g;
  };
  return {
    env,
    lossGradient: (symbol) => (names.includes(symbol) ? gradients().get(symbol)! : also.has(symbol) ? heldGradient(symbol) : null),
    gradientScale() {
      scale ??= tf.tidy(() => Math.max(0, ...[...gradients().values()].map((g) => tf.max(tf.abs(g)).dataSync()[0])));
      return scale;
    },
    largestGradientElements(wanted) {
      const found = new Map<string, number>();
      tf.tidy(() => {
        for (const n of wanted) found.set(n, tf.argMax(tf.abs(tf.reshape(gradients().get(n)!, [-1]))).dataSync()[0]);
      });
      return found;
    },
    uploadWeightsAgain(weights, minSize) {
      inputs.weights.forEach((old, l) => {
        if (old.size < minSize || weights[l].data.length !== old.size) return;
        // the fresh tensor first, then the old one goes: the other order (measured) left the
        // freed memory cut up so that the claims' tensors grew the heap as before
        const fresh = toTf(weights[l]) as tf.Tensor2D;
        inputs.weights[l] = fresh;
        if (env.get(`W${l + 1}`) === old) env.set(`W${l + 1}`, fresh);
        owned.delete(old);
        owned.add(fresh);
        old.dispose();
      });
    },
    dispose() {
      tf.dispose([...env.values()].filter((t) => !owned.has(t)));
      if (grads) tf.dispose([...grads.values()]);
      tf.dispose([...held.values()]);
    },
  };
}

function parameterOf(inputs: TrialTensors, name: string): tf.Tensor {
  const l = Number(name.slice(1)) - 1;
  return name.startsWith('W') ? inputs.weights[l] : inputs.biases[l]!;
}

/**
 * The TensorFlow.js world of one trial: float32 forward pass from tfjs pieces, derivatives by
 * tf.grad (one vector-Jacobian product per output of F), next(P) by tf.train.* on variables.
 * Call inside tf.tidy; variables made by next() are disposed here. With `trial` (tfjsTrial), the
 * forward pass, ∂E/∂P and the gradient scale come from it instead of being computed again.
 */
export function tfjsWorld(scenario: Scenario, inputs: TrialTensors, trial?: TfTrial): World<tf.Tensor> {
  const { model } = scenario;
  const env = trial?.env ?? forwardTf(model, inputs);
  return {
    name: 'tfjs',
    algebra: algebraTf,
    env,
    lossGradient: (symbol) => trial?.lossGradient(symbol) ?? null,
    gradient(symbol, outputs, f) {
      const base = env.get(symbol);
      if (!base) throw new Error(`no symbol ${symbol} in this network`);
      const g = tf.grad((q: tf.Tensor) => f(forwardTf(model, inputs, { symbol, value: q })));
      const rows: tf.Tensor[] = [];
      for (let c = 0; c < outputs; c++) {
        const dy = new Float32Array(outputs);
        dy[c] = 1;
        rows.push(g(base, tf.tensor1d(dy)));
      }
      return tf.stack(rows);
    },
    gradientScale() {
      if (trial) return trial.gradientScale();
      const names = parameterNames(model);
      return tf.tidy(() => {
        const grads = tf.grads((...ps: tf.Tensor[]) => forwardTf(model, withParameters(inputs, names, ps)).get('E')!)(names.map((n) => env.get(n)!));
        return Math.max(0, ...grads.map((g) => tf.max(tf.abs(g)).dataSync()[0]));
      });
    },
    next(symbol) {
      const optimizer = scenario.optimizer;
      if (!optimizer) throw new Error('next() needs an optimizer in the scenario');
      const names = parameterNames(model);
      const variables = new Map(names.map((name) => [name, tf.variable(env.get(name)!.clone(), true, undefined)]));
      try {
        const shadow = withParameters(inputs, names, names.map((n) => variables.get(n)!));
        const moved = optimizeTf(variables, () => forwardTf(model, shadow).get('E') as tf.Scalar, optimizer);
        tf.dispose([...moved].filter(([name]) => name !== symbol).map(([, t]) => t));
        return moved.get(symbol)!;
      } finally {
        for (const v of variables.values()) v.dispose();
      }
    },
  };
}
