import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the fake endpoint does with one request, in order; see `FakeLlmServer.script`. */
export type FakeStep =
  /** 200 with `content` (JSON-stringified unless a string) as the assistant message, and usage tokens. */
  | { readonly kind: 'reply'; readonly content: unknown; readonly promptTokens?: number; readonly completionTokens?: number; readonly delayMs?: number }
  /** An HTTP error status with an OpenAI-style error body (or `body`) and headers (e.g. Retry-After). */
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown }
  /** Never answers: the request stays open until the client gives up or the server closes. */
  | { readonly kind: 'hang' };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** From the server's `now` (the test's clock when it injects one). */
  readonly receivedAt: number;
  /** Requests in flight at the server when this one arrived, itself included. */
  readonly inFlight: number;
}

export interface FakeLlmServerOptions {
  /** When the script runs out. Default: 500 "no scripted step". */
  readonly fallback?: FakeStep;
  /** Timestamps of recorded requests; Date.now unless a test injects its clock. */
  readonly now?: () => number;
}

/** The usual shape of an OpenAI error body. */
export function openAiError(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 (random port) that answers from a
 * script: POST /v1/chat/completions and /chat/completions. It records every request (all headers,
 * the parsed body), counts requests in flight, echoes content whatever `response_format` asks,
 * and closes cleanly, hanging requests included.
 */
export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  private readonly steps: FakeStep[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<(request: RecordedRequest) => void>();
  private inFlight = 0;
  maxInFlight = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: FakeLlmServerOptions,
  ) {}

  static async start(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const fake = new FakeLlmServer(server, `http://127.0.0.1:${port}/v1`, options);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    return fake;
  }

  /** Appends steps to the script. */
  script(...steps: FakeStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  get pendingSteps(): number {
    return this.steps.length;
  }

  /** Resolves with the next request to arrive (or the n-th recorded, if it already did). */
  nextRequest(count = this.requests.length + 1): Promise<RecordedRequest> {
    const already = this.requests[count - 1];
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => {
      const listener = (request: RecordedRequest): void => {
        if (this.requests.length >= count) {
          this.listeners.delete(listener);
          resolve(this.requests[count - 1] ?? request);
        }
      };
      this.listeners.add(listener);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // recorded as text
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      receivedAt: (this.options.now ?? Date.now)(),
      inFlight: this.inFlight,
    };
    this.requests.push(recorded);
    res.on('close', () => (this.inFlight -= 1));
    for (const listener of [...this.listeners]) listener(recorded);

    if (req.method !== 'POST' || !['/v1/chat/completions', '/chat/completions'].includes(path)) {
      this.json(res, 404, openAiError(`Unknown path ${path}`, 'invalid_request_error'));
      return;
    }
    const step = this.steps.shift() ?? this.options.fallback ?? { kind: 'status', status: 500, body: openAiError('no scripted step', 'server_error') };
    if (step.kind === 'hang') return;
    if (step.kind === 'status') {
      this.json(
        res,
        step.status,
        step.body ?? openAiError(`status ${step.status}`, step.status >= 500 ? 'server_error' : 'invalid_request_error'),
        step.headers,
      );
      return;
    }
    if (step.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
    const model = typeof body === 'object' && body !== null && 'model' in body && typeof body.model === 'string' ? body.model : 'unknown';
    const promptTokens = step.promptTokens ?? 10;
    const completionTokens = step.completionTokens ?? 20;
    this.json(res, 200, {
      id: `chatcmpl-${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: typeof step.content === 'string' ? step.content : JSON.stringify(step.content) },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }

  private json(res: ServerResponse, status: number, payload: unknown, headers: Readonly<Record<string, string>> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  }
}

/** The messages of a recorded chat-completions request, joined: what the model was shown. */
export function promptText(request: RecordedRequest): string {
  const body = request.body;
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) return '';
  return body.messages
    .map((m: unknown) => (typeof m === 'object' && m !== null && 'content' in m ? (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)) : ''))
    .join('\n');
}
