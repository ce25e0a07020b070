import type { World } from '../formula/algebra';
import type { Optimizer, Scenario } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { algebra64, type Value64 } from './algebra64';
import { jacobian64 } from './gradient64';
import { forward64 } from './network64';
import { maxAbs } from './tensor64';
import { parameterNames } from '../model/symbols';

/**
 * The float64 reference world of one trial: the forward pass in plain loops, derivatives by
 * Ridders-extrapolated central differences (their error estimate rides along as `error`), and
 * next(P) by the float64 update rule P − lr·∂E/∂P.
 */
export function referenceWorld(scenario: Scenario, values: TrialValues): World<Value64> {
  const { model } = scenario;
  const env = forward64(model, values) as Map<string, Value64>;
  const gradient = (symbol: string, outputs: number, f: (env: Map<string, Value64>) => Value64): Value64 => {
    const base = env.get(symbol);
    if (!base) throw new Error(`no symbol ${symbol} in this network`);
    const j = jacobian64((q) => {
      const out = f(forward64(model, values, { symbol, value: q }) as Map<string, Value64>);
      if (out.data.length !== outputs) throw new Error(`grad: expected ${outputs} outputs, got ${out.data.length}`);
      return out.data;
    }, base);
    return { shape: [outputs, ...base.shape], data: j.value, error: j.error };
  };
  let scale: number | undefined;
  return {
    name: 'reference',
    algebra: algebra64,
    env,
    gradient,
    next(symbol) {
      const optimizer: Optimizer | undefined = scenario.optimizer;
      if (!optimizer) throw new Error('next() needs an optimizer in the scenario');
      const p = env.get(symbol)!;
      const g = gradient(symbol, 1, (e) => e.get('E')!);
      const lr = optimizer.learningRate;
      return { shape: [...p.shape], data: p.data.map((v, i) => v - lr * g.data[i]), error: g.error!.map((e) => lr * e) };
    },
    gradientScale() {
      scale ??= Math.max(0, ...parameterNames(model).map((name) => maxAbs(gradient(name, 1, (e) => e.get('E')!).data)));
      return scale;
    },
  };
}
