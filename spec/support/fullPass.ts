import type { Value64 } from '../../src/reference/algebra64';
import { evaluateDefinition, givenEnv, KinkWatch, mainForm, type Env64 } from '../../src/reference/definitions64';
import type { CheckedComputation } from '../../src/scenario/compile';
import type { TrialValues } from '../../src/scenario/trialValues';

/**
 * Every definition of the computation evaluated from scratch, in order, with `symbol` (a tensor
 * or a definition) held at `value`: what a moved pass must equal, computed without it. The loss
 * takes the form the move takes (`through` when the symbol is one it names).
 */
export function fullPass(computation: CheckedComputation, values: TrialValues, symbol: string, value: Value64, watch = new KinkWatch()): Env64 {
  const name = computation.aliases.get(symbol) ?? symbol;
  const env = givenEnv(computation, values);
  if (env.has(name)) {
    env.set(name, value);
    for (const [alias, target] of computation.aliases) if (target === name) env.set(alias, value);
  }
  for (const d of computation.definitions) {
    if (d.name === name) env.set(d.name, value);
    else env.set(d.name, evaluateDefinition(d, d.through && d.through.moved.has(name) ? d.through : mainForm(d), env, watch));
  }
  return env;
}
