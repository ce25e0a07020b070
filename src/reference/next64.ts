import type { Tensor64 } from '../foundation/tensor';
import { computationOf } from '../scenario/computationOf';
import type { Scenario } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import type { Value64 } from './algebra64';
import { optimize64, type GradientSource64 } from './optimizers64';

/** What next(P) needs of a reference world: ∂E/∂P of each parameter, with its error bound. */
export interface LossGradients64 {
  lossGradient(symbol: string): Value64;
}

/**
 * next(P) of one trial's reference world: P after the scenario's optimizer steps
 * (src/reference/optimizers64.ts), each computed once and kept. The first step's gradients are
 * the trial's own (`lossGradient`); a later step's come from a reference world built by `worldAt`
 * on the trial's values with the parameters moved, so they are the same finite differences, at
 * the moved point. One step moves each parameter by its own gradient only, so only the parameter
 * asked for is stepped; with more steps every parameter moves at once.
 */
export function nextParameters64(scenario: Scenario, values: TrialValues, trial: LossGradients64, worldAt: (values: TrialValues) => LossGradients64): (symbol: string) => Value64 {
  const stepped = new Map<string, Value64>();
  const gradients: GradientSource64 = {
    atStart: (name) => trial.lossGradient(name),
    at(parameters) {
      const world = worldAt(withParameters(values, parameters));
      return (name) => world.lossGradient(name);
    },
  };
  return (symbol) => {
    const optimizer = scenario.optimizer;
    if (!optimizer) throw new Error('next() needs an optimizer in the scenario');
    let moved = stepped.get(symbol);
    if (!moved) {
      const names = optimizer.steps === 1 ? [symbol] : computationOf(scenario).parameters;
      const start = new Map(names.map((n) => [n, trialParameter(values, n)]));
      for (const [name, value] of optimize64(start, gradients, optimizer)) stepped.set(name, value);
      moved = stepped.get(symbol)!;
    }
    return moved;
  };
}

/** The trial's own value of parameter `name`. */
function trialParameter(values: TrialValues, name: string): Tensor64 {
  const p = values.tensors.get(name);
  if (!p) throw new Error(`no parameter ${name} in this computation`);
  return p;
}

/** The trial's values with these parameters in place of its own. */
function withParameters(values: TrialValues, parameters: ReadonlyMap<string, Float64Array>): TrialValues {
  const tensors = new Map(values.tensors);
  for (const [name, data] of parameters) tensors.set(name, { shape: [...values.tensors.get(name)!.shape], data });
  return { ...values, tensors };
}
