import pino from 'pino';
import { Registry } from 'prom-client';
import { scrapedGauge, ScrapedReading } from '../../../src/shared/metrics/scraped-gauges';
import { eventually } from '../../support/eventually';
import { metricValue, samplesOf } from '../../support/metrics';

type LogLine = { level: number; msg: string; source?: string; err?: { errorMessage: string } };

function setUp(read: () => Promise<number>, timeoutMs = 2_000) {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const registry = new Registry();
  const reading = new ScrapedReading({ source: 'test-source', read, logger, timeoutMs });
  scrapedGauge(registry, { name: 'test_plain', help: 'an unlabelled gauge', reading, samples: (n) => [[{}, n]] });
  scrapedGauge(registry, { name: 'test_labelled', help: 'a labelled gauge', labelNames: ['side'], reading, samples: (n) => [[{ side: 'left' }, n]] });
  return { registry, lines };
}

describe('gauges read at scrape time', () => {
  it('reads the source once per scrape for all of its gauges', async () => {
    let reads = 0;
    const { registry } = setUp(async () => ++reads);
    const text = await registry.metrics();
    expect(reads).toBe(1);
    expect(metricValue(text, 'test_plain')).toBe(1);
    expect(metricValue(text, 'test_labelled', { side: 'left' })).toBe(1);
    expect(metricValue(text, 'refinery_metrics_source_up', { source: 'test-source' })).toBe(1);
    expect(metricValue(await registry.metrics(), 'test_plain')).toBe(2);
  });

  it('leaves every gauge of a failing source out, marks it down, and logs why once until it answers again', async () => {
    let failing = true;
    const { registry, lines } = setUp(async () => {
      if (failing) throw new Error('connection refused');
      return 7;
    });
    for (let scrape = 0; scrape < 3; scrape += 1) {
      const text = await registry.metrics();
      expect(samplesOf(text, 'test_plain')).toEqual([]);
      expect(samplesOf(text, 'test_labelled')).toEqual([]);
      expect(metricValue(text, 'refinery_metrics_source_up', { source: 'test-source' })).toBe(0);
    }
    const warnings = lines.filter((l) => l.msg.startsWith('metrics source unavailable'));
    expect(warnings).toEqual([expect.objectContaining({ source: 'test-source', err: expect.objectContaining({ errorMessage: 'connection refused' }) })]);

    failing = false;
    const text = await registry.metrics();
    expect(metricValue(text, 'test_plain')).toBe(7);
    expect(metricValue(text, 'refinery_metrics_source_up', { source: 'test-source' })).toBe(1);
    expect(lines.filter((l) => l.msg === 'metrics source answers again')).toHaveLength(1);
  });

  it('gives up on a source that does not answer in time, and does not pile another read on the one still hanging', async () => {
    let release!: (n: number) => void;
    let reads = 0;
    // The first read hangs until released; any later one answers 5 at once.
    const { registry, lines } = setUp(() => {
      reads += 1;
      return reads === 1 ? new Promise<number>((resolve) => (release = resolve)) : Promise.resolve(5);
    }, 50);
    const first = await registry.metrics();
    expect(samplesOf(first, 'test_plain')).toEqual([]);
    expect(metricValue(first, 'refinery_metrics_source_up', { source: 'test-source' })).toBe(0);
    expect(lines[0]?.err?.errorMessage).toBe('no answer within 50 ms');

    const second = await registry.metrics();
    expect(samplesOf(second, 'test_plain')).toEqual([]);
    expect(reads).toBe(1);
    expect(lines.map((l) => l.err?.errorMessage)).toContain('the previous read has not finished');

    // Once the hung read ends, the next scrape reads afresh.
    release(3);
    await eventually(async () => expect(metricValue(await registry.metrics(), 'test_plain')).toBe(5));
    expect(reads).toBe(2);
  });
});
