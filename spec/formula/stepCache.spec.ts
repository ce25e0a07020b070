import { algebra64, type Value64 } from '../../src/reference/algebra64';
import { contractTerm, type EvaluatedFactor, type StepCache } from '../../src/formula/contractTerm';

// A sum of products evaluated block after block, where only the factors reading `i` change (a
// claim's rhs on a block of a parameter's rows, src/claim/rowBlocks.ts): the steps that read no `i`
// are computed in the first evaluation only, and only the last of them, the one a step reading `i`
// takes, is kept.

const tensor = (shape: number[], seed: number): Value64 => ({ shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(seed * 7.1 + k * 1.3)) });
const factor = (label: string, vars: string[], value: Value64): EvaluatedFactor<Value64> => ({ label, divides: false, value: { vars, value } });

describe('kept steps of a sum of products (StepCache)', () => {
  // Σ_n Σ_k x[n,i] · a[n,j] · b[n,k] · W[j,k]: a · (b·W over k) reads no i
  const [N, I, J, K] = [5, 3, 4, 6];
  const a = tensor([N, J], 1);
  const b = tensor([N, K], 2);
  const W = tensor([J, K], 3);
  const factorsWith = (x: Value64) => [factor('x', ['n', 'i'], x), factor('a', ['n', 'j'], a), factor('b', ['n', 'k'], b), factor('W', ['j', 'k'], W)];
  const blocks = [tensor([N, I], 4), tensor([N, I], 5), tensor([N, I], 6)];

  it('gives the numbers of the plain evaluation, bit for bit, computes the fixed steps once and keeps one of them', () => {
    let kept = 0;
    const steps: StepCache<Value64> = { varying: new Set(['i']), results: new WeakMap(), keep: (v) => (kept++, { shape: [...v.shape], data: Float64Array.from(v.data) }) };
    const term = {};
    const products: number[] = [];
    for (const x of blocks) {
      const plain = contractTerm(algebra64, factorsWith(x), ['n', 'k'], [], ['i', 'j'], { term: {} });
      let count = 0;
      const counting = { ...algebra64, matMul: (...args: Parameters<typeof algebra64.matMul>) => (count++, algebra64.matMul(...args)) };
      const cached = contractTerm(counting, factorsWith(x), ['n', 'k'], [], ['i', 'j'], { term, steps });
      expect(cached.vars).toEqual(plain.vars);
      expect(Array.from(cached.value.data)).toEqual(Array.from(plain.value.data));
      products.push(count);
    }
    // the first evaluation: b·W over k, then x with the rest over n; every later one only the latter
    expect(products[0]).toBeGreaterThan(products[1]);
    expect(products.slice(1)).toEqual([1, 1]);
    // a[n,j] times Σ_k b·W is what the step over n takes: Σ_k b·W itself is not kept
    expect(kept).toBe(1);
  });
});
