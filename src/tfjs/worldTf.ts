import * as tf from '@tensorflow/tfjs';
import { maxAbs } from '../foundation/tensor';
import type { World } from '../formula/algebra';
import { computationOf } from '../scenario/computationOf';
import type { CheckedComputation } from '../scenario/compile';
import type { Scenario } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { algebraTf } from './algebraTf';
import { forwardDefinitionsTf } from './definitionsTf';
import { gradsOrZeros } from './gradsOrZeros';
import { largestAbs } from './largestAbs';
import { withValues } from './readInto';
import { forwardNetworkTf, outputGradientTf } from './networkTf';
import { optimizeTf } from './optimizersTf';
import { toTf, type EnvTf, type OverrideTf } from './trialTensors';

// The TensorFlow.js world of one trial: the forward pass (a network from tfjs's own layers and
// losses, a computation from its definitions lowered to tfjs ops), derivatives by tf.grad, next(P)
// by tf.train.*. float32 throughout.

/**
 * The forward pass from given tensors (the trial's, or with parameters swapped), one symbol
 * optionally held, and zero shifts optionally added after the intermediates they name.
 */
type ForwardTf = (given: EnvTf, override?: OverrideTf, shifts?: EnvTf) => EnvTf;

function forwardOf(scenario: Scenario, computation: CheckedComputation, values: TrialValues): ForwardTf {
  if (computation.form === 'network') {
    return (given, override, shifts) => {
      const env: EnvTf = new Map(given);
      for (const [name, t] of forwardNetworkTf(scenario.model!, given, override, shifts)) env.set(name, t);
      return env;
    };
  }
  const integers = (name: string) => values.tensors.get(name)!.data;
  return (given, override, shifts) => forwardDefinitionsTf(computation, given, integers, override, shifts);
}

/** The given tensors with the parameters (named in `names` order) replaced. */
function withParameters(given: EnvTf, names: string[], params: tf.Tensor[]): EnvTf {
  const env = new Map(given);
  names.forEach((name, i) => env.set(name, params[i]));
  return env;
}

/**
 * What the tfjs world of one trial shares between claims: the forward pass and ∂E/∂P for every
 * parameter P (and ∂E/∂S for the symbols S of `alsoDifferentiate`), from one tf.grads (the
 * forward pass that tf.grads runs is the one kept), and the gradient scale. Tensors are kept past
 * tf.tidy; `dispose` frees them (never the trial's tensors).
 */
export interface TfTrial {
  scenario: Scenario;
  values: TrialValues;
  forward: ForwardTf;
  /** the trial's tensors, counts, constants and learning rate: what the forward pass starts from */
  given: EnvTf;
  /** the forward pass of the trial (tfjs tensors, kept) */
  env: Map<string, tf.Tensor>;
  /**
   * ∂E/∂P for parameter P and ∂E/∂S for a symbol S named in the `alsoDifferentiate` option (kept;
   * computed together on first use, with the forward pass), else null
   */
  lossGradient(symbol: string): tf.Tensor | null;
  /** max |∂E/∂P| over every parameter, from the same gradients */
  gradientScale(): number;
  /** flat element of largest |∂E/∂P| for each of these parameters (where the reference looks for the scale) */
  largestGradientElements(names: readonly string[]): Map<string, number>;
  /**
   * The flat elements of the `k` largest |∂E/∂S| (largestAbs.ts: largest first), S a symbol
   * `lossGradient` has: the positions of at least the 4 largest are kept per symbol and trial, so
   * askers for no more than that share one pass over its values
   */
  largestElements(symbol: string, k: number): Int32Array;
  /**
   * Swaps each parameter of at least `minSize` elements for a fresh upload of the same float32
   * values (the trial's), in the given tensors and the forward pass, and disposes the old tensor
   * (TfTrialOptions.uploadAgainFrom does it on wasm after the forward pass).
   */
  uploadAgain(minSize: number): void;
  dispose(): void;
}

/** The largest |∂E/∂S| elements a tfjs trial keeps positions of per symbol, at least. */
const LARGEST_KEPT = 4;

export interface TfTrialOptions {
  /** compute ∂E/∂P with the forward pass (one forward+backward), else only if asked for */
  withGradients?: boolean;
  /**
   * symbols besides the parameters whose ∂E/∂S lossGradient answers (the built-in gradient
   * check's), from the same backward pass as the parameters'
   */
  alsoDifferentiate?: readonly string[];
  /**
   * On wasm, parameters of at least this many elements are uploaded again after the forward pass:
   * XNNPACK keeps a packed copy of each matrix a product used until the tensor is disposed, so
   * the claims' tensors take that memory instead of growing the wasm heap.
   */
  uploadAgainFrom?: number;
}

/**
 * The shared part of one trial's tfjs world, over the trial's uploaded tensors (`tensors`, which
 * the caller disposes). `alsoDifferentiate` names symbols besides the parameters (the input, the
 * intermediates, o: the built-in gradient check's) whose ∂E/∂S lossGradient answers too: tensors
 * are differentiated as the parameters are, and each intermediate by a zero tensor added after it
 * in the forward pass, all in the one tf.grads of the parameters. A network's o is not on the
 * path of its E (computed from the logits, as tf.losses does): its ∂E/∂o is the loss written on o
 * differentiated at o (networkTf.ts outputGradientTf), computed when first asked for.
 */
export function tfjsTrial(scenario: Scenario, values: TrialValues, tensors: EnvTf, options: TfTrialOptions = {}): TfTrial {
  const computation = computationOf(scenario);
  const forward = forwardOf(scenario, computation, values);
  const names = computation.parameters;
  const own: tf.Tensor[] = [];
  const given: EnvTf = new Map(tensors);
  const scalar = (value: number) => {
    const t = tf.scalar(value);
    own.push(t);
    return t;
  };
  for (const [name, value] of computation.counts) given.set(name, scalar(value));
  if (computation.optimizer) given.set('lr', scalar(computation.optimizer.learningRate));
  for (const [alias, target] of computation.aliases) if (given.has(target)) given.set(alias, given.get(target)!);
  const also = new Set(options.alsoDifferentiate?.filter((s) => !names.includes(s) && s !== 'E'));
  const tensorNames = new Set(computation.tensors.map((t) => t.name));
  // the network's o is held instead (see above); every other intermediate gets a zero shift
  const outputHeld = computation.form === 'network' && also.has('o');
  const inputs = [...names, ...[...also].filter((s) => tensorNames.has(s))];
  const shifted = computation.definitions.filter((d) => also.has(d.name) && !(outputHeld && d.name === 'o'));
  let outputGradient: tf.Tensor | null = null;
  const owned = () => new Set<tf.Tensor>([...given.values()]);
  let grads: Map<string, tf.Tensor> | null = null;
  let scale: number | undefined;
  const keepEnv = (e: EnvTf) => {
    const mine = owned();
    for (const t of e.values()) if (!mine.has(t)) tf.keep(t);
    return e;
  };
  let env!: EnvTf;
  const computeGrads = (keepForward: boolean): Map<string, tf.Tensor> => {
    let forwardPass: EnvTf | null = null;
    const gs = tf.tidy(() =>
      gradsOrZeros(
        (...xs: tf.Tensor[]) => {
          const shifts = shifted.length > 0 ? new Map(shifted.map((d, i) => [d.name, xs[inputs.length + i]])) : undefined;
          const e = forward(withParameters(given, inputs, xs.slice(0, inputs.length)), undefined, shifts);
          if (keepForward) forwardPass = keepEnv(e);
          return e.get('E')!;
        },
        [...inputs.map((n) => given.get(n)!), ...shifted.map((d) => tf.zeros(d.shape))],
      ),
    );
    // tidy returned them: they belong to the enclosing scope unless kept
    for (const g of gs) tf.keep(g);
    if (keepForward) env = forwardPass!;
    return new Map([...inputs, ...shifted.map((d) => d.name)].map((n, i) => [n, gs[i]]));
  };
  const differentiated = inputs.length + shifted.length;
  let failed = false;
  if (options.withGradients && differentiated > 0) {
    try {
      grads = computeGrads(true);
    } catch {
      failed = true; // asked for again by a claim, inside its own guard, where the error is reported
    }
  }
  if (!options.withGradients || failed || differentiated === 0) {
    tf.tidy(() => {
      env = keepEnv(forward(given));
    });
  }
  if (options.uploadAgainFrom !== undefined && tf.getBackend() === 'wasm') {
    try {
      uploadAgain(options.uploadAgainFrom);
    } catch {
      // memory only: a tensor not uploaded again keeps its old one (swapped one at a time)
    }
  }
  function uploadAgain(minSize: number): void {
    for (const name of names) {
      const old = given.get(name)!;
      const drawn = values.tensors.get(name);
      if (!drawn || old.size < minSize || drawn.data.length !== old.size) continue;
      // the fresh tensor first, then the old one goes: the other order (measured) left the freed
      // memory cut up so that the claims' tensors grew the heap as before
      const fresh = toTf(drawn);
      given.set(name, fresh);
      for (const [alias, target] of computation.aliases) if (target === name) given.set(alias, fresh);
      if (env.get(name) === old) env.set(name, fresh);
      tensors.set(name, fresh);
      old.dispose();
    }
  }
  const gradients = (): Map<string, tf.Tensor> => (grads ??= computeGrads(false));
  const lossGradient = (symbol: string): tf.Tensor | null => (outputHeld && symbol === 'o' ? heldOutputGradient() : names.includes(symbol) || also.has(symbol) ? (gradients().get(symbol) ?? null) : null);
  // each symbol's largest |∂E/∂S|, read where the backend keeps the values (no |∂E/∂S| tensor on
  // the backend), at least LARGEST_KEPT of them: the reference's scale hint and the agreement
  // check's largest elements come from one pass
  const largest = new Map<string, Int32Array>();
  function largestElements(symbol: string, k: number): Int32Array {
    let found = largest.get(symbol);
    if (found === undefined || found.length < k) {
      const g = lossGradient(symbol);
      if (!g) throw new Error(`no ∂E/∂${symbol} in the tfjs world`);
      largest.set(symbol, (found = largestAbs(g, Math.max(k, LARGEST_KEPT))));
    }
    return found.slice(0, k);
  }
  const heldOutputGradient = (): tf.Tensor => (outputGradient ??= tf.keep(tf.tidy(() => outputGradientTf(scenario.model!, env.get('y')!, env.get('o')!))));
  return {
    scenario,
    values,
    forward,
    given,
    get env() {
      return env;
    },
    lossGradient,
    gradientScale() {
      // the parameters' gradients only: the others of the same backward pass are not the scale
      // read where the backend keeps the values (no |∂E/∂P| tensor on the backend); NaN stays NaN, as tf.max gives it
      scale ??= Math.max(0, ...names.map((n) => withValues(gradients().get(n)!, maxAbs)));
      return scale;
    },
    uploadAgain,
    largestGradientElements(wanted) {
      return new Map(wanted.map((n) => [n, largestElements(n, 1)[0]]));
    },
    largestElements,
    dispose() {
      const mine = owned();
      tf.dispose([...env.values()].filter((t) => !mine.has(t)));
      if (grads) tf.dispose([...grads.values()]);
      if (outputGradient) outputGradient.dispose();
      tf.dispose(own);
    },
  };
}

/**
 * The TensorFlow.js world of one trial: the trial's forward pass, derivatives by tf.grad (one
 * vector-Jacobian product per output of F), next(P) by tf.train.* on variables. Call inside
 * tf.tidy; variables made by next() are disposed here.
 */
export function tfjsWorld(trial: TfTrial): World<tf.Tensor> {
  const { scenario, forward, given, env } = trial;
  const computation = computationOf(scenario);
  return {
    name: 'tfjs',
    algebra: algebraTf,
    env,
    integers: (name) => trial.values.tensors.get(name)!.data,
    lossGradient: (symbol) => trial.lossGradient(symbol),
    gradient(symbol, outputs, f) {
      const base = env.get(symbol);
      if (!base) throw new Error(`no symbol ${symbol} in this computation`);
      const g = (dy: tf.Tensor) => gradsOrZeros((q: tf.Tensor) => f(forward(given, { symbol, value: q })), [base], dy)[0];
      const rows: tf.Tensor[] = [];
      for (let c = 0; c < outputs; c++) {
        const dy = new Float32Array(outputs);
        dy[c] = 1;
        rows.push(g(tf.tensor1d(dy)));
      }
      return tf.stack(rows);
    },
    gradientScale: () => trial.gradientScale(),
    next(symbol) {
      const optimizer = computation.optimizer;
      if (!optimizer) throw new Error('next() needs an optimizer in the scenario');
      const names = computation.parameters;
      const variables = new Map(names.map((name) => [name, tf.variable(env.get(name)!.clone(), true, undefined)]));
      try {
        const shadow = withParameters(given, names, names.map((n) => variables.get(n)!));
        const moved = optimizeTf(variables, () => forward(shadow).get('E') as tf.Scalar, optimizer);
        tf.dispose([...moved].filter(([name]) => name !== symbol).map(([, t]) => t));
        return moved.get(symbol)!;
      } finally {
        for (const v of variables.values()) v.dispose();
      }
    },
  };
}
