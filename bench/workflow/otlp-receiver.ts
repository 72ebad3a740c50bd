import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP/HTTP JSON export carries it, its resource's attributes beside it. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly resource: Readonly<Record<string, string | number | boolean>>;
}

interface KeyValue {
  readonly key: string;
  readonly value?: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}

interface ExportRequest {
  readonly resourceSpans?: ReadonlyArray<{
    readonly resource?: { readonly attributes?: readonly KeyValue[] };
    readonly scopeSpans?: ReadonlyArray<{
      readonly spans?: ReadonlyArray<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind?: number; attributes?: readonly KeyValue[] }>;
    }>;
  }>;
}

function attributesOf(list: readonly KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (value?.stringValue !== undefined) out[key] = value.stringValue;
    else if (value?.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value?.doubleValue !== undefined) out[key] = value.doubleValue;
    else if (value?.boolValue !== undefined) out[key] = value.boolValue;
  }
  return out;
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 (what a collector or Jaeger offers on :4318): accepts
 * `POST /v1/traces` in the JSON encoding (what @opentelemetry/exporter-trace-otlp-http sends) and
 * keeps the spans, or only counts them (`keep: false`, for the bench).
 */
export class OtlpReceiver {
  private readonly received: ReceivedSpan[] = [];
  private readonly server: Server;
  private counted = 0;
  private readonly byName = new Map<string, number>();
  private bytes = 0;
  private requests = 0;
  private rejected = 0;
  private address = '';

  private constructor(private readonly keep: boolean) {
    this.server = createServer((request, response) => {
      this.handle(request).then(
        (status) => response.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{}' : ''),
        () => response.writeHead(500).end(),
      );
    });
  }

  static async start(options: { readonly keep?: boolean } = {}): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(options.keep ?? true);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.address = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to: the exporter appends /v1/traces. */
  get url(): string {
    return this.address;
  }

  /** Spans received so far (empty with `keep: false`). */
  spans(): readonly ReceivedSpan[] {
    return this.received;
  }

  stats(): { readonly spans: number; readonly bytes: number; readonly requests: number; readonly rejected: number } {
    return { spans: this.counted, bytes: this.bytes, requests: this.requests, rejected: this.rejected };
  }

  /** How many spans of each name arrived (kept or not), most frequent first. */
  spansByName(): ReadonlyArray<readonly [name: string, count: number]> {
    return [...this.byName].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage): Promise<number> {
    const body = await bodyOf(request);
    this.bytes += body.length;
    if (request.method !== 'POST' || request.url !== '/v1/traces') return 404;
    let parsed: ExportRequest;
    try {
      if (!(request.headers['content-type'] ?? '').includes('json')) throw new Error('not JSON');
      parsed = JSON.parse(body.toString('utf8')) as ExportRequest;
    } catch {
      this.rejected += 1;
      return 415;
    }
    this.add(parsed);
    return 200;
  }

  private add(request: ExportRequest): void {
    this.requests += 1;
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.counted += 1;
          this.byName.set(span.name, (this.byName.get(span.name) ?? 0) + 1);
          if (!this.keep) continue;
          this.received.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ? span.parentSpanId : undefined,
            name: span.name,
            kind: span.kind ?? 0,
            attributes: attributesOf(span.attributes),
            resource,
          });
        }
      }
    }
  }
}
