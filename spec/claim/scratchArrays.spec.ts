import { ScratchArrays } from '../../src/claim/scratchArrays';

describe('ScratchArrays', () => {
  it('hands an array given back to the next taker of its length, and a new one otherwise', () => {
    const scratch = new ScratchArrays();
    const a = scratch.take(8);
    expect(a.length).toBe(8);
    expect(scratch.take(8)).not.toBe(a); // a is still taken
    scratch.give(a);
    expect(scratch.take(5)).not.toBe(a); // another length
    expect(scratch.take(8)).toBe(a);
    expect(scratch.take(8)).not.toBe(a); // taken again
  });
});
