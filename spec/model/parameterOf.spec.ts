import { parameterOf } from '../../src/model/symbols';

describe('parameterOf', () => {
  it.each([
    ['W1', { kind: 'W', layer: 1 }],
    ['b12', { kind: 'b', layer: 12 }],
  ])('%s is a parameter', (name, want) => expect(parameterOf(name)).toEqual(want));

  it.each(['x', 'a0', 'net1', 'W', 'w1', 'W1x', 'bb1', 'E'])('%s is not', (name) => expect(parameterOf(name)).toBeNull());
});
