import { Gauge, type Registry } from 'prom-client';
import { describeError } from '../kernel/errors';
import type { Logger } from '../logging/logger';

export interface ScrapedReadingOptions<T> {
  /** Names the source in the `refinery_metrics_source_up` gauge and in log lines (e.g. `outbox`). */
  readonly source: string;
  /** One bounded read (one indexed query, one broker round): what every gauge of the source shows. */
  readonly read: () => Promise<T>;
  readonly logger: Logger;
  /** A read taking longer counts as failed, so a hanging database cannot hold /metrics up. */
  readonly timeoutMs?: number;
}

export const DEFAULT_SCRAPE_TIMEOUT_MS = 2_000;
/** A source that keeps failing is logged again at most this often (each scrape would otherwise log). */
const REPEAT_LOG_MS = 60_000;

const SOURCE_UP = 'refinery_metrics_source_up';

/**
 * A value read at scrape time and shared by every gauge of its source: the gauges of one scrape
 * all await the same read (prom-client collects them concurrently), so a source costs one read
 * per scrape. A failed or timed-out read never fails the scrape: its gauges are left out, the
 * source is marked down in `refinery_metrics_source_up{source}`, and a log line says why.
 */
export class ScrapedReading<T> {
  private inFlight: Promise<T | undefined> | undefined;
  /** The source's own read, which may outlive a scrape that gave up on it. */
  private reading: Promise<T> | undefined;
  private lastUp: boolean | undefined;
  private lastLoggedAt = 0;
  private lastError = '';

  constructor(private readonly options: ScrapedReadingOptions<T>) {}

  get source(): string {
    return this.options.source;
  }

  /** The reading of the scrape under way (started by the first gauge that asks), or undefined when it failed. */
  current(): Promise<T | undefined> {
    this.inFlight ??= this.readOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Whether the last read succeeded (undefined before the first). */
  isUp(): boolean | undefined {
    return this.lastUp;
  }

  private async readOnce(): Promise<T | undefined> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_SCRAPE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    try {
      // A read that hung past an earlier scrape is not joined by another: a stuck database gets one query, not one per scrape.
      if (this.reading) throw new Error('the previous read has not finished');
      const read = this.options.read();
      this.reading = read;
      void read.then(
        () => (this.reading = undefined),
        () => (this.reading = undefined),
      );
      const value = await Promise.race([read, timeout]);
      if (this.lastUp === false) this.options.logger.info({ source: this.source }, 'metrics source answers again');
      this.lastUp = true;
      return value;
    } catch (error) {
      this.failed(error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(error: unknown): void {
    const err = describeError(error);
    const now = Date.now();
    if (this.lastUp !== false || err.errorMessage !== this.lastError || now - this.lastLoggedAt >= REPEAT_LOG_MS) {
      this.options.logger.warn({ source: this.source, err }, 'metrics source unavailable: its metrics are left out of this scrape');
      this.lastLoggedAt = now;
      this.lastError = err.errorMessage;
    }
    this.lastUp = false;
  }
}

/** One sample of a gauge: its labels and value. */
export type Sample<L extends string> = readonly [labels: Partial<Record<L, string>>, value: number];

export interface ScrapedGaugeOptions<T, L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  readonly reading: ScrapedReading<T>;
  /** The samples a successful reading gives; nothing is shown for a failed one. */
  readonly samples: (value: T) => Iterable<Sample<L>>;
}

/** A gauge whose samples come from a `ScrapedReading` at each scrape (none when the reading failed). */
export function scrapedGauge<T, L extends string>(registry: Registry, options: ScrapedGaugeOptions<T, L>): Gauge<L> {
  const { reading, samples } = options;
  markSource(registry, reading);
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [registry],
    async collect() {
      this.reset();
      // An unlabelled gauge keeps a 0 after reset: remove it, so a failed read shows no figure at all.
      if ((options.labelNames ?? []).length === 0) this.remove();
      const value = await reading.current();
      if (value === undefined) return;
      for (const [labels, sample] of samples(value)) this.set(labels, sample);
    },
  });
}

const sourcesByRegistry = new WeakMap<Registry, Set<ScrapedReading<unknown>>>();

/** Registers `reading` in its registry's `refinery_metrics_source_up{source}` gauge (created once per registry). */
function markSource(registry: Registry, reading: ScrapedReading<unknown>): void {
  let sources = sourcesByRegistry.get(registry);
  if (!sources) {
    const known = new Set<ScrapedReading<unknown>>();
    sources = known;
    sourcesByRegistry.set(registry, known);
    new Gauge({
      name: SOURCE_UP,
      help: 'Whether a source of scrape-time metrics (database tables, the broker) answered this scrape: 1 yes, 0 no (its metrics are then left out)',
      labelNames: ['source'],
      registers: [registry],
      async collect() {
        this.reset();
        const readings = [...known];
        await Promise.all(readings.map((r) => r.current()));
        for (const r of readings) this.set({ source: r.source }, r.isUp() ? 1 : 0);
      },
    });
  }
  sources.add(reading);
}
