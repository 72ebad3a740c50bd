export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** Publish-to-handle latencies of one run, kept in a typed array so recording costs no allocation. */
export class LatencyRecorder {
  private samples: Float64Array;
  private size = 0;

  constructor(expected: number) {
    this.samples = new Float64Array(Math.max(16, expected));
  }

  get count(): number {
    return this.size;
  }

  record(ms: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = ms;
  }

  /** Nearest-rank percentiles: p99 of 10,000 samples is the 9,900th smallest. */
  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.size).sort();
    const at = (p: number): number =>
      sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN);
    let total = 0;
    for (const ms of sorted) total += ms;
    return { count: sorted.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(at(1)), meanMs: round(total / Math.max(1, sorted.length)) };
  }
}
