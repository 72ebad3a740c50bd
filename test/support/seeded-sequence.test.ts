import { SeededSequence } from './seeded-sequence';

describe('SeededSequence', () => {
  it('gives the same ids for the same seed, others for another, and never one twice', () => {
    const take = (seed: number) => {
      const sequence = new SeededSequence(seed);
      return Array.from({ length: 50 }, () => sequence.id('task'));
    };
    expect(take(7)).toEqual(take(7));
    expect(take(8)).not.toEqual(take(7));
    expect(new Set(take(7)).size).toBe(50);
    expect(take(7)[2]).toMatch(/^task-3-[0-9a-f]{6}$/);
  });
});
