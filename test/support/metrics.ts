import type { Application } from '../../src/app/container';

export interface MetricSample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Every sample of `name` in a Prometheus text exposition (`name{a="b"} 1`), labels unescaped. */
export function samplesOf(text: string, name: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = (value as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels are exactly `labels`; undefined when there is none. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  const found = samplesOf(text, name).filter((s) => Object.keys(s.labels).length === wanted.length && wanted.every(([key, value]) => s.labels[key] === value));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} has ${found.length} samples`);
  return found[0]?.value;
}

/** GET /metrics as Prometheus scrapes it: the status and the text. */
export async function scrape(app: Application): Promise<{ status: number; text: string }> {
  const response = await app.http.inject({ method: 'GET', url: '/metrics' });
  return { status: response.statusCode, text: response.body };
}
