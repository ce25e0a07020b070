import { movedForward } from '../../src/reference/directional64';
import { jacobian64 } from '../../src/reference/gradient64';
import { matMulInto } from '../../src/reference/matMul64';
import { forward64 } from '../../src/reference/network64';
import { referenceWorld } from '../../src/reference/world64';
import { cloneTensor64 } from '../../src/foundation/tensor';
import { SeededRandom } from '../../src/foundation/random';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';

const scenario = Scenario.parse({
  title: 'small tanh network with biases',
  seed: 4,
  model: {
    inputs: 5,
    layers: [{ units: 7, activation: 'tanh' }, { units: 6, activation: 'sigmoid' }, { units: 3 }],
    loss: { type: 'softmax-cross-entropy' },
  },
  data: { batch: 4, labels: { random: true } },
});
const values = drawTrial(scenario, 0);
const base = forward64(scenario.model, values);
const E = (env: Map<string, { data: ArrayLike<number> }>) => env.get('E')!.data[0];

describe('matMulInto', () => {
  it.each([[3, 5, 2], [7, 9, 17], [5, 33, 21], [64, 20, 40]])('equals the plain triple loop bit for bit at %i×%i×%i', (M, K, P) => {
    const rng = new SeededRandom(M * K * P);
    const a = Float64Array.from({ length: M * K }, () => rng.normal(0, 1));
    const b = Float64Array.from({ length: K * P }, () => rng.normal(0, 1));
    const plain = new Float64Array(M * P);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) plain[m * P + p] += a[m * K + k] * b[k * P + p];
    expect(Array.from(matMulInto(a, b, new Float64Array(M * P), M, K, P))).toEqual(Array.from(plain));
  });
});

describe('forward64 from a base pass', () => {
  it.each(['x', 'W1', 'b2', 'net2', 'a1', 'W3', 'o', 'y'])('gives the same numbers as a full pass with %s overridden', (symbol) => {
    const moved = cloneTensor64(base.get(symbol)!);
    moved.data[0] += 0.25;
    const full = forward64(scenario.model, values, { symbol, value: moved });
    const reused = forward64(scenario.model, values, { symbol, value: moved }, base);
    for (const [name, t] of full) expect([name, Array.from(reused.get(name)!.data)]).toEqual([name, Array.from(t.data)]);
  });
});

describe('movedForward', () => {
  const rng = new SeededRandom(9);
  it.each(['x', 'W1', 'b1', 'W2', 'b2', 'W3', 'net1', 'a2'])('matches a full pass at Q + t·v for %s (dense direction and one element)', (symbol) => {
    const q = base.get(symbol)!;
    const v = Float64Array.from({ length: q.data.length }, () => rng.normal(0, 1));
    const element = q.data.length - 2;
    for (const [direction, dense] of [[{ kind: 'dense' as const, data: v }, v], [{ kind: 'element' as const, index: element }, null]] as const) {
      const moved = movedForward(scenario.model, values, base, symbol, direction)(0.03);
      const value = cloneTensor64(q);
      if (dense) value.data.forEach((x, i) => (value.data[i] = x + 0.03 * dense[i]));
      else value.data[element] += 0.03;
      const full = forward64(scenario.model, values, { symbol, value });
      for (const name of ['x', 'W1', 'net1', 'a1', 'net2', 'a2', 'net3', 'o', 'E', symbol]) {
        const want = full.get(name)!.data;
        const got = moved.get(name)!.data;
        want.forEach((w, i) => {
          if (Math.abs(got[i] - w) > 1e-13 * Math.max(1, Math.abs(w))) throw new Error(`${symbol} ${direction.kind}: ${name}[${i}] ${got[i]} vs ${w}`);
        });
      }
    }
  });
});

describe('movedForward with reuse (one array for the moved entry, every t)', () => {
  const rng = new SeededRandom(11);
  it.each(['x', 'W1', 'b2', 'W3', 'net1', 'a2'])('gives E bit for bit as without, t after t, for %s along a dense direction', (symbol) => {
    const q = base.get(symbol)!;
    const direction = { kind: 'dense' as const, data: Float64Array.from({ length: q.data.length }, () => rng.normal(0, 1)) };
    const fresh = movedForward(scenario.model, values, base, symbol, direction);
    const reused = movedForward(scenario.model, values, base, symbol, direction, true);
    for (const t of [0.03, -0.03, 1e-4, 0.5]) expect(E(reused(t))).toBe(E(fresh(t)));
    // and the unmoved pass is left as it was
    expect(E(base)).toBe(E(forward64(scenario.model, values)));
  });
});

describe('reference world derivatives', () => {
  const world = referenceWorld(scenario, values);
  const fullW1 = jacobian64((q) => Float64Array.from(forward64(scenario.model, values, { symbol: 'W1', value: q }).get('E')!.data), base.get('W1')!);
  it('elementDerivative agrees with the element-by-element Jacobian of a full pass', () => {
    for (const m of [0, 7, 20, 34]) {
      const d = world.elementDerivative('W1', E, m);
      expect(Math.abs(d.value - fullW1.value[m])).toBeLessThan(1e-10);
      expect(d.error).toBeLessThan(1e-9);
    }
  });
  it('directionalDerivative equals ⟨v, gradient⟩', () => {
    const v = Float64Array.from({ length: fullW1.value.length }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
    const d = world.directionalDerivative('W1', E, v);
    const projected = v.reduce((s, vi, i) => s + vi * fullW1.value[i], 0);
    expect(Math.abs(d.value - projected)).toBeLessThan(1e-10);
  });
});
