import { mulberry32 } from '../../src/shared/messaging/in-memory/seeded-random';

/**
 * The seed of the values test builders generate: TEST_SEED from the environment, else a fixed
 * one, so every run generates the same values and a failure replays as it happened. Another seed
 * tells the same stories under other ids (a test that passes only for some ids depends on one).
 */
export const TEST_SEED = seedOf(process.env['TEST_SEED']);

function seedOf(value: string | undefined): number {
  if (value === undefined || value === '') return 20_260_105;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`TEST_SEED must be an integer, got ${value}`);
  return seed;
}

/** Ids from a seed: the count makes each one unique in the sequence, the seed varies the rest. */
export class SeededSequence {
  private readonly random: () => number;
  private count = 0;

  constructor(readonly seed: number = TEST_SEED) {
    this.random = mulberry32(seed);
  }

  /** `<prefix>-<n>-<6 hex digits>`, e.g. `task-3-9f04c1`. */
  id(prefix: string): string {
    this.count += 1;
    const noise = Math.floor(this.random() * 0x1000000)
      .toString(16)
      .padStart(6, '0');
    return `${prefix}-${this.count}-${noise}`;
  }
}
