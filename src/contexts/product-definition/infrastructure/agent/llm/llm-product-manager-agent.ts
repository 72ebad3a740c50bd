import { performance } from 'node:perf_hooks';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, NoObjectGeneratedError, Output, type LanguageModel, type LanguageModelUsage } from 'ai';
import { Registry } from 'prom-client';
import { type Clock, systemClock } from '../../../../../shared/kernel/clock';
import { backoffDelay, retryPolicy } from '../../../../../shared/kernel/retry';
import type { Logger } from '../../../../../shared/logging/logger';
import type { AgentAvailability, AgentUsage, Assessment, AssessmentInput, ProductManagerAgent } from '../../../domain/product-manager-agent';
import { CircuitBreaker } from './circuit-breaker';
import type { LlmAgentOptions } from './llm-agent.options';
import { type CallFailure, classify, errorFor } from './llm-errors';
import { LlmMetrics } from './llm-metrics';
import { PROMPT_VERSION, promptFor } from './prompt';
import { llmReplySchema, type ParsedReply, parseReply } from './reply';
import { Semaphore } from './semaphore';

export interface LlmAgentDependencies {
  readonly logger: Logger;
  /** Where the breaker's and the rate gate's time comes from. */
  readonly clock?: Clock;
  /** Waits between retries and before a Retry-After elapses (tests inject one that advances their clock). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The registry /metrics serves; a private one when absent. */
  readonly metricsRegistry?: Registry;
  /** Jitter of the retry backoff. */
  readonly random?: () => number;
}

/** A classified failure of one HTTP call, inside the agent only. */
class CallFailed extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.message);
  }
}

interface Spent {
  tokensIn: number;
  tokensOut: number;
  calls: number;
  callMs: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The product manager as a model behind any OpenAI-compatible chat-completions endpoint (OpenAI,
 * Azure OpenAI, Ollama, vLLM, llama.cpp's server, LM Studio), through the AI SDK's
 * `generateText` with `Output.object` (the reply schema is sent as `response_format` json_schema).
 *
 * Failures: the SDK does not retry (`maxRetries: 0`); this agent does, `maxRetries` times within
 * one assessment, with exponential backoff, and waits out a 429's Retry-After (no call of this
 * process goes out before it elapses; a Retry-After longer than `maxRetryAfterWaitMs` fails the
 * attempt and the agent reports itself paused until then). Retries live here because the pool
 * releases a failed item at once, with no delay. Client errors (400/401/403/404) are
 * NonRetryableError with a message naming the variable to fix. A circuit breaker over
 * consecutive provider failures pauses the agent (`availability()`), and the pool claims nothing
 * while it is paused.
 */
export class LlmProductManagerAgent implements ProductManagerAgent {
  readonly kind = 'llm' as const;
  private readonly model: LanguageModel;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly semaphore: Semaphore;
  private readonly breaker: CircuitBreaker;
  private readonly metrics: LlmMetrics;
  private readonly logger: Logger;
  /** No call before this (a 429's Retry-After). */
  private notBefore: Date | undefined;

  constructor(
    private readonly options: LlmAgentOptions,
    deps: LlmAgentDependencies,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
    this.logger = deps.logger.child({ component: 'llm-agent', model: options.model });
    this.semaphore = new Semaphore(options.maxConcurrency);
    this.metrics = new LlmMetrics(deps.metricsRegistry ?? new Registry());
    this.breaker = new CircuitBreaker({ failureThreshold: options.breakerFailures, cooldownMs: options.breakerCooldownMs }, this.clock, (change) => {
      if (change.to === 'open')
        this.logger.warn({ until: change.until?.toISOString(), reason: change.reason }, 'LLM circuit breaker opened: the agent is paused');
      else this.logger.info({ state: change.to }, change.to === 'closed' ? 'LLM circuit breaker closed' : 'LLM circuit breaker half-open: one probe call');
    });
    const provider = createOpenAICompatible({
      name: 'llm',
      baseURL: options.baseUrl,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      supportsStructuredOutputs: true,
    });
    this.model = provider.chatModel(options.model);
  }

  availability(): AgentAvailability {
    const breaker = this.breaker.availability();
    if (breaker.state === 'paused') return breaker;
    if (this.notBefore && this.clock.now() < this.notBefore) {
      return { state: 'paused', reason: 'the LLM endpoint is rate limiting (429): waiting for its Retry-After', until: this.notBefore };
    }
    return { state: 'available' };
  }

  async assess(input: AssessmentInput): Promise<Assessment> {
    const spent: Spent = { tokensIn: 0, tokensOut: 0, calls: 0, callMs: 0 };
    const policy = retryPolicy({
      maxAttempts: this.options.maxRetries + 1,
      initialDelayMs: this.options.retryInitialDelayMs,
      maxDelayMs: this.options.retryMaxDelayMs,
    });
    for (let attempt = 1; ; attempt += 1) {
      try {
        const reply = await this.semaphore.run(() => this.callOnce(input, spent));
        return this.assessmentOf(reply, spent);
      } catch (error) {
        if (!(error instanceof CallFailed)) throw error;
        const { failure } = error;
        const log = { taskId: input.taskId, attempt, outcome: failure.outcome, err: failure.message };
        const lastTry = attempt >= policy.maxAttempts || !failure.retryable || failure.outcome === 'breaker_open';
        const waitMs = Math.max(backoffDelay(policy, attempt, this.random), failure.retryAfterMs ?? 0);
        if (lastTry || (failure.retryAfterMs ?? 0) > this.options.maxRetryAfterWaitMs) {
          this.logger.warn(log, 'LLM call failed; giving the attempt back to the pool');
          throw errorFor(failure);
        }
        this.logger.warn({ ...log, retryInMs: waitMs }, 'LLM call failed; retrying');
        await this.sleep(waitMs);
      }
    }
  }

  private usage(spent: Spent): AgentUsage {
    return { agent: 'llm', model: this.options.model, promptVersion: PROMPT_VERSION, ...spent, callMs: Math.round(spent.callMs) };
  }

  private assessmentOf(reply: ParsedReply, spent: Spent): Assessment {
    const usage = this.usage(spent);
    if (reply.kind === 'questions') return { kind: 'questions', questions: reply.questions, usage };
    if (reply.kind === 'prd') return { kind: 'prd', prd: reply.prd, usage };
    return { kind: 'give-up', reason: reply.reason, usage };
  }

  /** One HTTP call, once the rate gate and the breaker allow it. Throws CallFailed. */
  private async callOnce(input: AssessmentInput, spent: Spent): Promise<ParsedReply> {
    await this.waitForRateGate();
    let probe: boolean | undefined;
    while (probe === undefined) {
      const permission = this.breaker.permission();
      if (permission.kind === 'call') {
        probe = permission.probe;
        continue;
      }
      if (permission.kind === 'wait') {
        await permission.probe;
        continue;
      }
      this.metrics.call('breaker_open');
      throw new CallFailed({
        outcome: 'breaker_open',
        message: `the LLM agent is paused until ${permission.until.toISOString()}: ${permission.reason}`,
        retryable: true,
        countsForBreaker: false,
      });
    }
    const { system, prompt } = promptFor(input);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const started = performance.now();
    let settled = false;
    try {
      const result = await generateText({
        model: this.model,
        instructions: system,
        prompt,
        output: Output.object({ schema: llmReplySchema, name: 'assessment', description: 'The decision (questions, prd or give-up) and its content' }),
        ...(this.options.temperature === undefined ? {} : { temperature: this.options.temperature }),
        maxRetries: 0,
        abortSignal: controller.signal,
        providerOptions: { llm: { strictJsonSchema: this.options.strictJsonSchema } },
      });
      const ms = this.spend(spent, started, result.usage);
      this.breaker.succeeded();
      settled = true;
      const parsed = parseReply(result.output);
      if ('problems' in parsed) {
        this.metrics.call('schema_error', ms);
        throw new CallFailed({
          outcome: 'schema_error',
          message: `the model's reply broke the reply schema: ${parsed.problems}`,
          retryable: true,
          countsForBreaker: false,
        });
      }
      this.metrics.call('ok', ms);
      return parsed;
    } catch (error) {
      if (error instanceof CallFailed) throw error;
      const ms = this.spend(spent, started, NoObjectGeneratedError.isInstance(error) ? error.usage : undefined);
      let failure = classify(error, {
        model: this.options.model,
        baseUrl: this.options.baseUrl,
        timeoutMs: this.options.timeoutMs,
        apiKey: this.options.apiKey,
        timedOut,
        now: this.clock.now(),
      });
      if (failure.outcome === 'schema_error' && NoObjectGeneratedError.isInstance(error))
        failure = { ...failure, message: describeBadReply(error.text) ?? failure.message };
      if (failure.countsForBreaker) this.breaker.failed(failure.message);
      else this.breaker.succeeded();
      settled = true;
      if (failure.retryAfterMs !== undefined) this.holdUntil(new Date(this.clock.now().getTime() + failure.retryAfterMs));
      this.metrics.call(failure.outcome, ms);
      throw new CallFailed(failure);
    } finally {
      clearTimeout(timer);
      // A probe must settle the breaker whatever happened, or every later call would wait for it.
      if (probe && !settled) this.breaker.failed('the probe call ended without an outcome');
    }
  }

  private spend(spent: Spent, started: number, usage: LanguageModelUsage | undefined): number {
    const ms = performance.now() - started;
    spent.calls += 1;
    spent.callMs += ms;
    const tokensIn = usage?.inputTokens ?? 0;
    const tokensOut = usage?.outputTokens ?? 0;
    spent.tokensIn += tokensIn;
    spent.tokensOut += tokensOut;
    if (tokensIn > 0) this.metrics.tokens.inc({ direction: 'in' }, tokensIn);
    if (tokensOut > 0) this.metrics.tokens.inc({ direction: 'out' }, tokensOut);
    return ms;
  }

  private holdUntil(until: Date): void {
    if (!this.notBefore || until > this.notBefore) this.notBefore = until;
  }

  /** Waits out a Retry-After another call received; a wait beyond `maxRetryAfterWaitMs` fails at once instead. */
  private async waitForRateGate(): Promise<void> {
    for (;;) {
      const until = this.notBefore;
      const waitMs = until ? until.getTime() - this.clock.now().getTime() : 0;
      if (waitMs <= 0) return;
      if (waitMs > this.options.maxRetryAfterWaitMs) {
        this.metrics.call('rate_limited');
        throw new CallFailed({
          outcome: 'rate_limited',
          message: `the LLM endpoint asked for no calls until ${new Date(this.clock.now().getTime() + waitMs).toISOString()} (429 Retry-After)`,
          retryable: true,
          countsForBreaker: false,
          retryAfterMs: waitMs,
        });
      }
      await this.sleep(waitMs);
    }
  }
}

/** What was wrong with a reply the SDK could not turn into the reply object. */
function describeBadReply(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `the model's reply was not valid JSON (${text.length} characters)`;
  }
  const parsed = parseReply(json);
  return 'problems' in parsed ? `the model's reply broke the reply schema: ${parsed.problems}` : undefined;
}
