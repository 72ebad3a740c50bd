import { APICallError, NoObjectGeneratedError, RetryError } from 'ai';
import { NonRetryableError, RetryableError } from '../../../../../shared/kernel/errors';
import { cutText, storableText } from '../../../../../shared/kernel/text';

/** How a call ended, as counted in `refinery_agent_calls_total{outcome}`. */
export type CallOutcome = 'ok' | 'timeout' | 'rate_limited' | 'retryable_error' | 'client_error' | 'schema_error' | 'breaker_open';

/** A failed call, classified: what the metrics count, whether the breaker counts it, whether trying again can help. */
export interface CallFailure {
  readonly outcome: Exclude<CallOutcome, 'ok'>;
  /** Safe to log and to show an operator: never the key, never the prompt. */
  readonly message: string;
  readonly retryable: boolean;
  /** Timeouts, 5xx, 429 and network errors say the provider is in trouble; client errors and bad replies do not. */
  readonly countsForBreaker: boolean;
  /** From a 429's Retry-After (or retry-after-ms): no call before this many ms from now. */
  readonly retryAfterMs?: number;
}

/** The reply broke the reply schema (or was not JSON): retryable, a model samples anew. */
export class LlmReplyError extends RetryableError {
  override readonly name = 'LlmReplyError';
}

/** The endpoint failed in a way another attempt may fix (timeout, 5xx, 429, network, breaker open). */
export class LlmUnavailableError extends RetryableError {
  override readonly name = 'LlmUnavailableError';
}

/** The endpoint refused the request in a way only the operator can fix (key, model, request). */
export class LlmConfigurationError extends NonRetryableError {
  override readonly name = 'LlmConfigurationError';
}

export function errorFor(failure: CallFailure): Error {
  if (failure.outcome === 'schema_error') return new LlmReplyError(failure.message);
  return failure.retryable ? new LlmUnavailableError(failure.message) : new LlmConfigurationError(failure.message);
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3); `retry-after-ms` (OpenAI's) first. Undefined when absent or unreadable. */
export function retryAfterMs(headers: Record<string, string> | undefined, now: Date): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = lower['retry-after-ms'];
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = lower['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** Removes the key from text that came from elsewhere (a provider's error body may echo it). */
export function scrub(text: string, secret: string | undefined): string {
  let out = text;
  if (secret && secret.length > 0) out = out.split(secret).join('[redacted]');
  // Bearer tokens and OpenAI-style keys, whoever's they are.
  return out.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]').replace(/\bsk-[A-Za-z0-9_-]{6,}/g, 'sk-[redacted]');
}

function excerpt(body: string | undefined, secret: string | undefined): string {
  if (!body) return '';
  const text = storableText(scrub(body.replace(/\s+/g, ' ').trim(), secret));
  return text ? `; the endpoint said: ${text.length > 300 ? `${cutText(text, 300)}…` : text}` : '';
}

export interface ClassifyContext {
  readonly model: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly apiKey: string | undefined;
  readonly timedOut: boolean;
  readonly now: Date;
}

/** Classifies whatever a call threw. Messages are written here, never copied from the SDK unscrubbed. */
export function classify(error: unknown, ctx: ClassifyContext): CallFailure {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (ctx.timedOut) {
    return {
      outcome: 'timeout',
      message: `the LLM endpoint did not answer within ${ctx.timeoutMs} ms (LLM_TIMEOUT_MS)`,
      retryable: true,
      countsForBreaker: true,
    };
  }
  if (NoObjectGeneratedError.isInstance(cause)) {
    const why = cause.cause instanceof Error && cause.cause.name.includes('JSONParse') ? 'was not valid JSON' : 'did not match the reply schema';
    return { outcome: 'schema_error', message: `the model's reply ${why} (model ${ctx.model})`, retryable: true, countsForBreaker: false };
  }
  if (APICallError.isInstance(cause)) {
    const status = cause.statusCode;
    if (status === undefined) {
      return {
        outcome: 'retryable_error',
        message: `could not reach the LLM endpoint at ${ctx.baseUrl} (LLM_BASE_URL)`,
        retryable: true,
        countsForBreaker: true,
      };
    }
    if (status === 429) {
      const after = retryAfterMs(cause.responseHeaders, ctx.now);
      return {
        outcome: 'rate_limited',
        message: `the LLM endpoint is rate limiting (429)${after === undefined ? '' : `; retry after ${after} ms`}`,
        retryable: true,
        countsForBreaker: true,
        ...(after === undefined ? {} : { retryAfterMs: after }),
      };
    }
    if (status === 401) return clientError(`the endpoint refused the API key (401): check LLM_API_KEY`);
    if (status === 403)
      return clientError(`the endpoint refused access to model ${ctx.model} with this API key (403): check LLM_API_KEY and the key's permissions`);
    if (status === 404) return clientError(`model ${ctx.model} not found (404) at ${ctx.baseUrl}: check LLM_MODEL and LLM_BASE_URL (it usually ends in /v1)`);
    if (status === 408 || status >= 500) {
      return { outcome: 'retryable_error', message: `the LLM endpoint failed (${status})`, retryable: true, countsForBreaker: true };
    }
    return clientError(`the endpoint refused the request (${status}) for model ${ctx.model}${excerpt(cause.responseBody, ctx.apiKey)}`);
  }
  if (cause instanceof Error && (cause.name === 'AbortError' || cause.name === 'TimeoutError')) {
    return { outcome: 'timeout', message: `the call to the LLM endpoint was aborted`, retryable: true, countsForBreaker: true };
  }
  if (cause instanceof Error && cause.name.includes('JSONParse')) {
    return { outcome: 'schema_error', message: `the endpoint's response was not valid JSON (model ${ctx.model})`, retryable: true, countsForBreaker: false };
  }
  if (cause instanceof Error && cause.name.includes('TypeValidation')) {
    return {
      outcome: 'schema_error',
      message: `the endpoint's response did not have the chat-completions shape (model ${ctx.model})`,
      retryable: true,
      countsForBreaker: false,
    };
  }
  const name = cause instanceof Error ? cause.name : typeof cause;
  return { outcome: 'retryable_error', message: `the call to the LLM endpoint failed (${name})`, retryable: true, countsForBreaker: true };
}

function clientError(message: string): CallFailure {
  return { outcome: 'client_error', message, retryable: false, countsForBreaker: false };
}
