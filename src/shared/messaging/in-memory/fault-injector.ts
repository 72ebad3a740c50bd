import { mulberry32, randomInt } from './seeded-random';

/** Rates are probabilities in [0, 1], drawn per first delivery of a message to a consumer. */
export interface FaultOptions {
  readonly seed: number;
  /** That consumer's copy is lost for good: never delivered, never dead-lettered. */
  readonly dropRate?: number;
  /** Delivered twice, with the same messageId. */
  readonly duplicateRate?: number;
  /** Delivered after a random delay of up to `maxDelayMs`. */
  readonly delayRate?: number;
  readonly maxDelayMs?: number;
  /** Delivered after the message(s) that reach the consumer behind it. */
  readonly reorderRate?: number;
}

export interface FaultStats {
  readonly dropped: number;
  readonly duplicated: number;
  readonly delayed: number;
  readonly reordered: number;
}

export interface FaultDecision {
  readonly drop: boolean;
  readonly duplicate: boolean;
  /** Set when the copy is delayed. */
  readonly delayMs: number | undefined;
  readonly reorder: boolean;
}

export const NO_FAULT: FaultDecision = { drop: false, duplicate: false, delayMs: undefined, reorder: false };

function rate(name: string, value: number | undefined): number {
  const r = value ?? 0;
  if (!(r >= 0 && r <= 1)) throw new Error(`fault ${name} must be between 0 and 1, got ${String(value)}`);
  return r;
}

/** Decides, from a seed, what goes wrong with each delivery: the same seed gives the same faults. */
export class FaultInjector {
  private readonly random: () => number;
  private readonly rates: { drop: number; duplicate: number; delay: number; reorder: number };
  private readonly maxDelayMs: number;
  private readonly counts = { dropped: 0, duplicated: 0, delayed: 0, reordered: 0 };

  constructor(options: FaultOptions) {
    this.random = mulberry32(options.seed);
    this.rates = {
      drop: rate('dropRate', options.dropRate),
      duplicate: rate('duplicateRate', options.duplicateRate),
      delay: rate('delayRate', options.delayRate),
      reorder: rate('reorderRate', options.reorderRate),
    };
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 100);
  }

  decide(): FaultDecision {
    // Always draw the same number of values, so one decision never shifts the ones after it.
    const [drop, duplicate, delay, delayAmount, reorder] = [this.random(), this.random(), this.random(), this.random(), this.random()];
    if (drop < this.rates.drop) {
      this.counts.dropped += 1;
      return { ...NO_FAULT, drop: true };
    }
    const decision: FaultDecision = {
      drop: false,
      duplicate: duplicate < this.rates.duplicate,
      delayMs: delay < this.rates.delay ? randomInt(() => delayAmount, 0, this.maxDelayMs) : undefined,
      // A delayed copy is already out of order; counting it twice would overstate reordering.
      reorder: delay >= this.rates.delay && reorder < this.rates.reorder,
    };
    if (decision.duplicate) this.counts.duplicated += 1;
    if (decision.delayMs !== undefined) this.counts.delayed += 1;
    if (decision.reorder) this.counts.reordered += 1;
    return decision;
  }

  stats(): FaultStats {
    return { ...this.counts };
  }
}
