import { algebra64, type Value64 } from '../../src/reference/algebra64';

// binary(op, a, b, reuseA): a temporary `a` may take the result in place (the evaluator's
// `mean` divides its own sum so, saving an array of the sum's size at scale). The numbers and
// error bounds must be those of a new array, and nothing that is read again may be overwritten.

const value = (shape: number[], data: number[], error?: number[]): Value64 => ({
  shape,
  data: Float64Array.from(data),
  ...(error ? { error: Float64Array.from(error) } : {}),
});
const scalar = (v: number, rank: number): Value64 => ({ shape: new Array(rank).fill(1), data: Float64Array.of(v) });

describe('algebra64.binary with reuseA', () => {
  it('gives the numbers and error bound of a new array, in a\'s own storage', () => {
    const fresh = algebra64.binary('/', value([2, 3], [1, 2, 3, 4, 5, 6], [0.1, 0, 0.3, 0, 0, 0.6]), scalar(3, 2));
    const a = value([2, 3], [1, 2, 3, 4, 5, 6], [0.1, 0, 0.3, 0, 0, 0.6]);
    const aData = a.data;
    const aError = a.error;
    const reused = algebra64.binary('/', a, scalar(3, 2), true);
    expect(Array.from(reused.data)).toEqual(Array.from(fresh.data));
    expect(Array.from(reused.error!)).toEqual(Array.from(fresh.error!));
    expect(reused.data).toBe(aData);
    expect(reused.error).toBe(aError);
  });

  it('leaves a alone when it must be broadcast to the result', () => {
    const a = value([1, 3], [1, 2, 3]);
    const out = algebra64.binary('*', a, value([2, 1], [10, 20]), true);
    expect(Array.from(out.data)).toEqual([10, 20, 30, 20, 40, 60]);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
  });

  it('leaves a alone when it carries kinks (its values are read again for the one-sided results)', () => {
    const a: Value64 = { ...value([3], [1, 2, 3]), kink: Uint8Array.of(0, 1, 0), oneSided: { forward: Float64Array.of(1, 4, 3), backward: Float64Array.of(1, 0, 3) } };
    const out = algebra64.binary('/', a, scalar(2, 1), true);
    expect(Array.from(out.data)).toEqual([0.5, 1, 1.5]);
    expect(Array.from(out.oneSided!.forward)).toEqual([0.5, 2, 1.5]);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
  });

  it('without reuseA never writes to its operands', () => {
    const a = value([3], [1, 2, 3], [0.5, 0.5, 0.5]);
    algebra64.binary('/', a, scalar(2, 1));
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    expect(Array.from(a.error!)).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('what the evaluator\'s in-place mean relies on (src/formula/evaluate.ts)', () => {
  it('sum, matMul and binary return arrays of their own, even where the result equals an operand', () => {
    const t = value([1, 3], [1, 2, 3], [0.1, 0.1, 0.1]);
    const summed = algebra64.sum(t, 0);
    expect(summed.data).not.toBe(t.data);
    expect(summed.error).not.toBe(t.error);
    const one = value([1, 1, 1], [1]);
    const m = value([1, 1, 3], [1, 2, 3]);
    expect(algebra64.matMul(one, m).data).not.toBe(m.data);
    expect(algebra64.binary('*', m, value([1, 1, 1], [1])).data).not.toBe(m.data);
  });
});

describe('algebra64.binary broadcasting in place', () => {
  // exact operands are read through strides; operands with an error bound are laid out first:
  // both must give the same numbers
  const shapes: [number[], number[]][] = [
    [[2, 1, 3], [1, 4, 1]],
    [[1, 5], [3, 1]],
    [[4, 1], [4, 6]],
    [[1, 1, 1], [2, 3, 4]],
    [[2, 3, 1, 2], [2, 1, 5, 1]],
  ];
  const numbers = (shape: number[], seed: number) => Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => ((i * 5 + seed) % 11) - 4.5);
  it.each(shapes.flatMap(([a, b]) => (['+', '-', '*', '/', 'max', '<'] as const).map((op) => [op, a, b] as const)))('%s of %j and %j', (op, sa, sb) => {
    const a = numbers(sa, 1);
    const b = numbers(sb, 2);
    const strided = algebra64.binary(op, value(sa, a), value(sb, b));
    const laidOut = algebra64.binary(op, value(sa, a, a.map(() => 0)), value(sb, b, b.map(() => 0)));
    expect(strided.shape).toEqual(laidOut.shape);
    expect(Array.from(strided.data)).toEqual(Array.from(laidOut.data));
  });
});

describe('a number with an array', () => {
  const numbers = [0, -0, 1, -2.5, 0.1, 1e-300, 3e300, NaN, Infinity, -Infinity, 2, 0.5, -3];
  it.each(['+', '-', '*', '/', '^'] as const)('%s on either side: each element as the operator gives it, bit for bit', (op) => {
    const f = { '+': (a: number, b: number) => a + b, '-': (a: number, b: number) => a - b, '*': (a: number, b: number) => a * b, '/': (a: number, b: number) => a / b, '^': (a: number, b: number) => a ** b }[op];
    const array: Value64 = { shape: [numbers.length], data: Float64Array.from(numbers) };
    for (const c of numbers) {
      const left = algebra64.binary(op, scalar(c, 1), array).data;
      const right = algebra64.binary(op, array, scalar(c, 1)).data;
      expect(Array.from(left)).toEqual(numbers.map((v) => f(c, v)));
      expect(Array.from(right)).toEqual(numbers.map((v) => f(v, c)));
    }
  });
});
