import { z } from 'zod';
import { CliError, EXIT } from './exit-codes';

export const deadLetterView = z.object({
  id: z.string(),
  consumer: z.string(),
  message: z.unknown(),
  messageType: z.string(),
  errorClass: z.string(),
  errorMessage: z.string(),
  attempts: z.number(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
});
export type DeadLetterView = z.infer<typeof deadLetterView>;

export interface Selector {
  readonly id?: string;
  readonly type?: string;
}

export interface AdminClientOptions {
  /** The service's base URL, e.g. http://127.0.0.1:3000. */
  readonly url: URL;
  readonly token: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

const errorBody = z.object({
  error: z.string().optional(),
  message: z.string().optional(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** The admin HTTP API (`/admin/dead-letters`), with its answers turned into values or CliErrors. */
export class AdminClient {
  constructor(private readonly options: AdminClientOptions) {}

  async list(consumer?: string): Promise<DeadLetterView[]> {
    const query = consumer === undefined ? '' : `?${new URLSearchParams({ consumer }).toString()}`;
    const body = await this.request('GET', `/admin/dead-letters${query}`);
    return z.object({ deadLetters: z.array(deadLetterView) }).parse(body).deadLetters;
  }

  async show(consumer: string, id: string): Promise<DeadLetterView> {
    const body = await this.request('GET', `/admin/dead-letters/${encodeURIComponent(consumer)}/${encodeURIComponent(id)}`);
    return z.object({ deadLetter: deadLetterView }).parse(body).deadLetter;
  }

  async replay(consumer: string, selector: Selector): Promise<number> {
    const body = await this.request('POST', `/admin/dead-letters/${encodeURIComponent(consumer)}/replay`, selector);
    return z.object({ replayed: z.number() }).parse(body).replayed;
  }

  async purge(consumer: string, selector: Selector): Promise<number> {
    const query = new URLSearchParams(Object.entries(selector).filter((entry): entry is [string, string] => typeof entry[1] === 'string')).toString();
    const body = await this.request('DELETE', `/admin/dead-letters/${encodeURIComponent(consumer)}${query ? `?${query}` : ''}`);
    return z.object({ purged: z.number() }).parse(body).purged;
  }

  private async request(method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown): Promise<unknown> {
    const target = new URL(path, this.options.url);
    let response: Response;
    try {
      response = await this.options.fetch(target, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new CliError(EXIT.failure, unreachable(this.options.url, this.options.timeoutMs, error));
    }
    const text = await response.text();
    const body = parseJson(text);
    if (response.ok) {
      if (body === undefined) throw new CliError(EXIT.failure, `${method} ${target.pathname}: the server answered ${response.status} without JSON`);
      return body;
    }
    throw failure(response.status, body, text);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// Duck-typed rather than `instanceof Error`: fetch's errors may come from another realm (a test
// runner's sandbox), where instanceof is false for a perfectly ordinary Error.
function describe(error: unknown): { name?: string; message: string; cause?: unknown } {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return error as { name?: string; message: string; cause?: unknown };
  return { message: String(error) };
}

export function unreachable(url: URL, timeoutMs: number, error: unknown): string {
  const { name, message, cause } = describe(error);
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer from ${url.origin} within ${timeoutMs} ms`;
  // fetch reports every network failure as "fetch failed"; the cause says which (ECONNREFUSED, ENOTFOUND, ...).
  return `cannot reach ${url.origin}: ${cause === undefined ? message : describe(cause).message}`;
}

function failure(status: number, body: unknown, text: string): CliError {
  const parsed = errorBody.safeParse(body);
  const detail = parsed.success ? parsed.data : {};
  if (status === 401) return new CliError(EXIT.unauthorised, 'not authorised (401): the server wants a token; pass --token or set REFINERY_TOKEN');
  if (status === 403) return new CliError(EXIT.unauthorised, "forbidden (403): the token is unknown or not an admin's");
  if (status === 400 && detail.issues?.length) return new CliError(EXIT.usage, `rejected (400): ${detail.issues.map((i) => `${i.field || '(request)'}: ${i.message}`).join('; ')}`);
  const reason = detail.message ?? detail.error ?? (text.trim().slice(0, 200) || 'no details');
  return new CliError(status === 400 ? EXIT.usage : EXIT.failure, `${status === 404 ? 'not found' : 'server error'} (${status}): ${reason}`);
}
