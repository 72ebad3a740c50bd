import { z } from 'zod';
import { CliError, EXIT } from './exit-codes';

/** Where the service is and how the CLI talks to it. */
export interface ServiceConnection {
  /** The service's base URL, e.g. http://127.0.0.1:3000. */
  readonly url: URL;
  readonly token: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  /** The pauses before each retry of an idempotent request (RETRY_DELAYS_MS unless a test gives shorter ones). */
  readonly retryDelaysMs?: readonly number[];
}

/**
 * Before the 2nd, 3rd, 4th and 5th attempt of a request sent with an Idempotency-Key: five
 * attempts in about 7.5 s (plus each attempt's own timeout), enough for a restart or a failover.
 */
export const RETRY_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000];
/** A Retry-After longer than this is cut to it: the CLI keeps its own bound. */
const MAX_RETRY_AFTER_MS = 10_000;

/** Answers that say "the request may not have been done, or nobody knows": worth the same request again. */
const AMBIGUOUS_STATUSES = new Set([502, 503, 504]);

/** What the service's error answers hold (every field optional: a proxy may answer instead). */
export const errorBody = z.object({
  error: z.string().optional(),
  message: z.string().optional(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** A 400's field issues as one line: `title: is required; priority: ...`. */
export function issuesText(issues: ReadonlyArray<{ field: string; message: string }>): string {
  return issues.map((i) => `${i.field || '(request)'}: ${i.message}`).join('; ');
}

/** Turns an error answer into the CliError (and exit code) a client wants for it. */
export type FailureOf = (status: number, body: unknown, text: string) => CliError;

/**
 * One JSON request with the bearer token: the parsed JSON body of a 2xx answer, else the
 * client's CliError for the status; an unreachable service or a timeout is a failure (exit 1).
 *
 * With `idempotencyKey` (the POSTs that create or decide) the request carries it as
 * `Idempotency-Key`, and an ambiguous failure (no answer: connection refused or reset, a
 * timeout; or 502, 503, 504, or 409 "still in progress") is retried with the same key, which the
 * service answers with the first answer if the request was done: a retry never does it twice.
 */
export async function requestJson(
  connection: ServiceConnection,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  payload: unknown,
  failure: FailureOf,
  idempotencyKey?: string,
): Promise<unknown> {
  const target = new URL(path, connection.url);
  const delays = idempotencyKey === undefined ? [] : (connection.retryDelaysMs ?? RETRY_DELAYS_MS);
  for (let attempt = 0; ; attempt++) {
    const outcome = await attemptOnce(connection, method, target, payload, idempotencyKey, 'application/json');
    const last = attempt >= delays.length;
    if ('unreachable' in outcome) {
      if (last) throw new CliError(EXIT.failure, gaveUp(outcome.unreachable, attempt, idempotencyKey));
    } else {
      const { response, text } = outcome;
      const body = parseJson(text);
      if (response.ok) {
        if (body === undefined) throw new CliError(EXIT.failure, `${method} ${target.pathname}: the server answered ${response.status} without JSON`);
        return body;
      }
      if (idempotencyKey === undefined || last || !ambiguous(response.status, body)) {
        const refused = failure(response.status, body, text);
        throw attempt === 0 ? refused : new CliError(refused.exitCode, gaveUp(refused.message, attempt, idempotencyKey));
      }
      const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
      await pause(Math.max(delays[attempt] ?? 0, retryAfterMs));
      continue;
    }
    await pause(delays[attempt] ?? 0);
  }
}

/**
 * One GET of a text document (the PRD's Markdown): its body as sent for a 2xx answer, else the
 * client's CliError for the status (error answers are JSON like any other).
 */
export async function requestText(connection: ServiceConnection, path: string, accept: string, failure: FailureOf): Promise<string> {
  const target = new URL(path, connection.url);
  const outcome = await attemptOnce(connection, 'GET', target, undefined, undefined, accept);
  if ('unreachable' in outcome) throw new CliError(EXIT.failure, outcome.unreachable);
  const { response, text } = outcome;
  if (!response.ok) throw failure(response.status, parseJson(text), text);
  return text;
}

async function attemptOnce(
  connection: ServiceConnection,
  method: string,
  target: URL,
  payload: unknown,
  idempotencyKey: string | undefined,
  accept: string,
): Promise<{ response: Response; text: string } | { unreachable: string }> {
  try {
    const response = await connection.fetch(target, {
      method,
      headers: {
        authorization: `Bearer ${connection.token}`,
        accept,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      signal: AbortSignal.timeout(connection.timeoutMs),
    });
    // The body is part of the answer: a connection cut while it arrives is as ambiguous as no answer.
    return { response, text: await response.text() };
  } catch (error) {
    return { unreachable: unreachable(connection.url, connection.timeoutMs, error) };
  }
}

function ambiguous(status: number, body: unknown): boolean {
  if (AMBIGUOUS_STATUSES.has(status)) return true;
  const parsed = errorBody.safeParse(body);
  return status === 409 && parsed.success && parsed.data.error === 'idempotency_key_in_progress';
}

/** Retry-After in seconds (an HTTP date is not worth parsing here): at most MAX_RETRY_AFTER_MS. */
function retryAfterOf(header: string | null): number {
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1_000, MAX_RETRY_AFTER_MS) : 0;
}

function gaveUp(reason: string, retries: number, idempotencyKey: string | undefined): string {
  if (retries === 0 || idempotencyKey === undefined) return reason;
  return (
    `${reason} (gave up after ${retries + 1} attempts with Idempotency-Key ${idempotencyKey}; ` +
    'the request may or may not have been done: look before running the command again)'
  );
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string')
    return error as { name?: string; message: string; cause?: unknown };
  return { message: String(error) };
}

export function unreachable(url: URL, timeoutMs: number, error: unknown): string {
  const { name, message, cause } = describe(error);
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer from ${url.origin} within ${timeoutMs} ms`;
  // fetch reports every network failure as "fetch failed"; the cause says which (ECONNREFUSED, ENOTFOUND, ...).
  return `cannot reach ${url.origin}: ${cause === undefined ? message : describe(cause).message}`;
}
