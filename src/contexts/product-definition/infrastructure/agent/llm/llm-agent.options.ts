/** How the LLM agent reaches its endpoint and how it treats failures; docs/agent.md "LLM agent" lists the variables. */
export interface LlmAgentOptions {
  /** The OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://localhost:11434/v1. */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer …`; absent for endpoints without keys (Ollama, local vLLM). Never logged. */
  readonly apiKey?: string;
  /** Per HTTP call; a call still unanswered then is aborted and counts as a timeout. */
  readonly timeoutMs: number;
  /** HTTP calls in flight at once in this process, across all pollers. */
  readonly maxConcurrency: number;
  readonly temperature?: number;
  /** Send the JSON schema with `strict: true` (OpenAI's constrained decoding); off by default, as not every server accepts it. */
  readonly strictJsonSchema: boolean;
  /** Further HTTP calls within one assessment after a retryable failure (0: none; the pool's attempts still apply). */
  readonly maxRetries: number;
  readonly retryInitialDelayMs: number;
  readonly retryMaxDelayMs: number;
  /**
   * The longest a 429's Retry-After is waited out inside one assessment; a longer one fails the
   * attempt at once (retryable) and the agent reports itself paused until then.
   */
  readonly maxRetryAfterWaitMs: number;
  /** Consecutive provider failures (timeouts, 5xx, 429, network) that open the breaker. */
  readonly breakerFailures: number;
  readonly breakerCooldownMs: number;
}

export const DEFAULT_LLM_AGENT_OPTIONS = {
  timeoutMs: 60_000,
  maxConcurrency: 4,
  strictJsonSchema: false,
  maxRetries: 2,
  retryInitialDelayMs: 1_000,
  retryMaxDelayMs: 15_000,
  maxRetryAfterWaitMs: 30_000,
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
} as const satisfies Partial<LlmAgentOptions>;

/**
 * The longest one assessment can take: a draft and a repair, each up to (retries + 1) timed-out
 * calls, the backoff between them at its cap, and a Retry-After waited out in full. A work item's
 * lease must outlast it, or another poller takes the item over and pays for the calls again.
 */
export function slowestAssessmentMs(options: Pick<LlmAgentOptions, 'maxRetries' | 'timeoutMs' | 'retryMaxDelayMs' | 'maxRetryAfterWaitMs'>): number {
  const oneCall = (options.maxRetries + 1) * options.timeoutMs + options.maxRetries * options.retryMaxDelayMs + options.maxRetryAfterWaitMs;
  return 2 * oneCall;
}
