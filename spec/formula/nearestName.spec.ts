import { editDistance, nearestName, nearestSymbol } from '../../src/formula/nearestName';

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

describe('nearestSymbol', () => {
  // one hidden layer with a bias, a linear output layer without one
  const network = ['x', 'a0', 'W1', 'b1', 'W2', 'net1', 'a1', 'net2', 'a2', 'o', 'y', 'E', 'N'];
  it.each<[string, string[], { name: string; says?: string } | undefined]>([
    // spelling first: a near symbol needs no word
    ['W3', network, { name: 'W2' }],
    ['e', network, { name: 'E' }],
    // a word for a symbol, as written or (5 characters or more) one edit off
    ['ouput', network, { name: 'o', says: "the network's output" }],
    ['output', network, { name: 'o', says: "the network's output" }],
    ['Outputs', network, { name: 'o', says: "the network's output" }],
    ['y_hat', network, { name: 'o', says: "the network's output" }],
    ['tagret', network, { name: 'y', says: 'the targets' }],
    ['lables', network, { name: 'y', says: 'the targets' }],
    ['inptu', network, { name: 'x', says: 'the inputs' }],
    ['loss', network, { name: 'E', says: 'the loss' }],
    ['batch_size', network, { name: 'N', says: 'the batch size' }],
    // only one bias exists (b1), but two kernels: 'weights' could be either
    ['biases', network, { name: 'b1', says: 'the biases' }],
    ['weights', network, undefined],
    ['weights', ['x', 'W1', 'b1', 'o', 'y', 'E'], { name: 'W1', says: 'the weights' }],
    // short words match only as written; two edits are too far
    ['los', network, undefined],
    ['lost', network, undefined],
    ['outptt', network, { name: 'o', says: "the network's output" }],
    ['oupt', network, undefined],
    // words with more than one meaning suggest nothing
    ['error', network, undefined],
    ['activation', network, undefined],
    // a symbol the scenario does not have is not suggested
    ['ouput', ['x', 'W1', 'E'], undefined],
    // the scenario's own name wins over a word
    ['inputs', [...network, 'input1'], { name: 'input1' }],
    ['W'.repeat(100), network, undefined],
  ])('%s → %j', (name, candidates, near) => {
    expect(nearestSymbol(name, candidates)).toEqual(near);
  });
});
