import { z } from 'zod';
import { CliError, EXIT } from './exit-codes';

/** Where the service is and how the CLI talks to it. */
export interface ServiceConnection {
  /** The service's base URL, e.g. http://127.0.0.1:3000. */
  readonly url: URL;
  readonly token: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

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
 */
export async function requestJson(
  connection: ServiceConnection,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  payload: unknown,
  failure: FailureOf,
): Promise<unknown> {
  const target = new URL(path, connection.url);
  let response: Response;
  try {
    response = await connection.fetch(target, {
      method,
      headers: {
        authorization: `Bearer ${connection.token}`,
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      signal: AbortSignal.timeout(connection.timeoutMs),
    });
  } catch (error) {
    throw new CliError(EXIT.failure, unreachable(connection.url, connection.timeoutMs, error));
  }
  const text = await response.text();
  const body = parseJson(text);
  if (response.ok) {
    if (body === undefined) throw new CliError(EXIT.failure, `${method} ${target.pathname}: the server answered ${response.status} without JSON`);
    return body;
  }
  throw failure(response.status, body, text);
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
