import { editDistance, nearestName } from '../../src/formula/nearestName';

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['W3', 'W2', 1],
    ['sigmod', 'sigmoid', 1],
    ['nte1', 'net1', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s ↔ %s = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('nearestName', () => {
  const symbols = ['x', 'a0', 'W1', 'W2', 'b1', 'net1', 'a1', 'o', 'y', 'E', 'N'];
  it.each<[string, string | undefined]>([
    ['W3', 'W2'],
    ['w1', 'W1'],
    ['nte1', 'net1'],
    ['e', 'E'],
    ['z', undefined],
    ['foo', undefined],
    ['constructor', undefined],
    ['W'.repeat(100), undefined],
  ])('%s → %s', (name, near) => {
    expect(nearestName(name, symbols)).toBe(near);
  });
});
