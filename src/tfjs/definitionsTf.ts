import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import type { CheckedComputation } from '../scenario/compile';
import { algebraTf } from './algebraTf';
import type { EnvTf, OverrideTf } from './trialTensors';

// A computation's forward pass in the TensorFlow.js world: its definitions (DESIGN §6) lowered to
// tfjs ops by the formula evaluator over algebraTf, in order, so that tf.grad differentiates
// through them. With an override, that symbol (a tensor or a definition) holds the tensor given
// and everything computed after it follows from it. `shifts` adds a tensor (zeros) to each
// definition it names right after it is computed, so that differentiating by the shifts gives
// ∂E/∂(those definitions) in the backward pass of the parameters.

export function forwardDefinitionsTf(computation: CheckedComputation, given: EnvTf, integers: (name: string) => ArrayLike<number>, override?: OverrideTf, shifts?: EnvTf): EnvTf {
  const env: EnvTf = new Map(given);
  const held = override ? (computation.aliases.get(override.symbol) ?? override.symbol) : undefined;
  if (override && held !== undefined && env.has(held)) {
    env.set(held, override.value);
    for (const [alias, target] of computation.aliases) if (target === held) env.set(alias, override.value);
  }
  for (const d of computation.definitions) {
    if (d.name === held) {
      env.set(d.name, override!.value);
      continue;
    }
    const form = d.through && held !== undefined && d.through.moved.has(held) ? d.through : d;
    const value = new FormulaEvaluator(form.checked, { algebra: algebraTf, env, integers }).evaluate(form.body, env);
    const computed = expandTo(algebraTf, value, d.vars, d.shape);
    const shift = shifts?.get(d.name);
    env.set(d.name, shift ? algebraTf.binary('+', computed, shift) : computed);
  }
  return env;
}
