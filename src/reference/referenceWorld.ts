import type { Model } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { jacobian64 } from './gradient64';
import { forward64, type Env64 } from './network64';
import type { Tensor64 } from './tensor64';

/** ∂E/∂symbol for one trial by finite differences on the float64 forward pass. */
export function lossGradient64(model: Model, values: TrialValues, symbol: string, env: Env64 = forward64(model, values)): { value: Tensor64; error: Float64Array; kink?: Uint8Array; forward?: Float64Array; backward?: Float64Array } {
  const base = env.get(symbol);
  if (!base) throw new Error(`no symbol ${symbol} in this network`);
  const j = jacobian64((q) => forward64(model, values, { symbol, value: q }, env).get('E')!.data, base);
  const kink = j.kink ? { kink: j.kink, forward: j.forward!, backward: j.backward! } : {};
  return { value: { shape: [...base.shape], data: j.value }, error: j.error, ...kink };
}
