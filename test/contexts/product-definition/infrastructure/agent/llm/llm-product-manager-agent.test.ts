import { PROMPT_VERSION } from '../../../../../../src/contexts/product-definition/infrastructure/agent/llm/prompt';
import { LlmReplyError } from '../../../../../../src/contexts/product-definition/infrastructure/agent/llm/llm-errors';
import { NonRetryableError, RetryableError, isRetryable } from '../../../../../../src/shared/kernel/errors';
import { textProblem } from '../../../../../../src/shared/kernel/text';
import { FakeLlmServer, openAiError, promptText } from '../../../../../support/fake-llm-server';
import { aPrdDocument } from '../../../../../support/prd-document';
import { API_KEY, agentFor, anInput, capturingLogger, prdReply, questionsReply, TestTime } from './llm-test-kit';

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected a failure, but it succeeded');
}

describe('LlmProductManagerAgent against a fake OpenAI-compatible server', () => {
  let server: FakeLlmServer;
  let time: TestTime;
  beforeEach(async () => {
    time = new TestTime();
    server = await FakeLlmServer.start({ now: time.now });
  });
  afterEach(() => server.close());

  it('turns a reply into an Assessment with the usage the endpoint reported, the model and the prompt version', async () => {
    server.script({ kind: 'reply', content: prdReply(), promptTokens: 123, completionTokens: 45 });
    const { agent, registry } = agentFor(server, {}, { time });

    const assessment = await agent.assess(anInput());

    expect(assessment.kind).toBe('prd');
    expect(assessment.usage).toEqual(
      expect.objectContaining({ agent: 'llm', model: 'test-model', promptVersion: PROMPT_VERSION, tokensIn: 123, tokensOut: 45, calls: 1 }),
    );
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.body).toEqual(expect.objectContaining({ model: 'test-model', response_format: expect.objectContaining({ type: 'json_schema' }) }));
    const metrics = await registry.metrics();
    expect(metrics).toContain('refinery_agent_calls_total{outcome="ok"} 1');
    expect(metrics).toContain('refinery_agent_tokens_total{direction="in"} 123');
    expect(metrics).toContain('refinery_agent_tokens_total{direction="out"} 45');
    expect(metrics).toMatch(/refinery_agent_call_duration_seconds_count\{outcome="ok"\} 1/);
  });

  it('asks questions with field and why', async () => {
    server.script({ kind: 'reply', content: questionsReply() });
    const { agent } = agentFor(server, {}, { time });
    const assessment = await agent.assess(anInput());
    expect(assessment).toEqual(
      expect.objectContaining({ kind: 'questions', questions: [expect.objectContaining({ field: 'audience', why: expect.any(String) })] }),
    );
  });

  it('shows the model the request, the numbered answers and feedback, the previous PRD and the repair findings', async () => {
    server.script({ kind: 'reply', content: prdReply() });
    const { agent } = agentFor(server, {}, { time });
    await agent.assess(
      anInput({
        clarificationLog: [
          { question: 'About who it is for: Who uses it? Why it matters: stories.', answer: 'Night-shift operators in the control room' },
          { question: 'About the outcome: What changes? Why it matters: metrics.', answer: 'Fewer missed alerts' },
        ],
        feedback: [{ prdVersion: 1, feedback: 'Say how the theme is chosen' }],
        clarificationRounds: 2,
        previousPrd: aPrdDocument(),
        repair: { draft: aPrdDocument(), findings: [{ path: 'goals[0]', code: 'quote-not-found', message: 'the quote is not in the request' }] },
      }),
    );
    const text = promptText(server.requests[0] ?? { method: '', path: '', headers: {}, body: null, receivedAt: 0, inFlight: 0 });
    expect(text).toContain('Title: Add dark mode');
    expect(text).toContain('The dashboard is too bright at night for night-shift operators.');
    expect(text).toContain('answer 1: [audience] Q: About who it is for: Who uses it?');
    expect(text).toContain('A: Night-shift operators in the control room');
    expect(text).toContain('answer 2: [outcome]');
    expect(text).toContain('feedback 1: (on PRD version 1) Say how the theme is chosen');
    expect(text).toContain('PREVIOUS PRD (revise it; new feedback: feedback 1)');
    expect(text).toContain('goals[0] (quote-not-found): the quote is not in the request');
    expect(text).toContain('do not ask');
  });

  it('a hanging endpoint is a retryable timeout', async () => {
    server.script({ kind: 'hang' });
    const { agent, registry } = agentFor(server, { timeoutMs: 150 }, { time });
    const error = await failureOf(agent.assess(anInput()));
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('did not answer within 150 ms (LLM_TIMEOUT_MS)');
    expect(await registry.metrics()).toContain('refinery_agent_calls_total{outcome="timeout"} 1');
  });

  it('retries a 500 after an exponential backoff, then succeeds', async () => {
    server.script(
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'reply', content: prdReply(), promptTokens: 7, completionTokens: 3 },
    );
    const { agent, registry } = agentFor(server, { maxRetries: 2, retryInitialDelayMs: 1_000 }, { time });
    const assessment = await agent.assess(anInput());
    expect(assessment.kind).toBe('prd');
    expect(time.waits).toEqual([1_000, 2_000]);
    expect(server.requests.map((r) => r.receivedAt - (server.requests[0]?.receivedAt ?? 0))).toEqual([0, 1_000, 3_000]);
    expect(assessment.usage).toEqual(expect.objectContaining({ calls: 3, tokensIn: 7, tokensOut: 3 }));
    expect(await registry.metrics()).toContain('refinery_agent_calls_total{outcome="retryable_error"} 2');
  });

  it('a 500 on the last try is a retryable error for the pool', async () => {
    server.script({ kind: 'status', status: 500 });
    const { agent } = agentFor(server, { maxRetries: 0 }, { time });
    const error = await failureOf(agent.assess(anInput()));
    expect(isRetryable(error)).toBe(true);
    expect(error.message).toBe('the LLM endpoint failed (500)');
  });

  it('after a 429 with Retry-After in seconds, the next call waits at least that long', async () => {
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': '7' } }, { kind: 'reply', content: prdReply() });
    const { agent, registry } = agentFor(server, { maxRetries: 1, retryInitialDelayMs: 100 }, { time });
    await agent.assess(anInput());
    const [first, second] = server.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(7_000);
    expect(await registry.metrics()).toContain('refinery_agent_calls_total{outcome="rate_limited"} 1');
  });

  it('a Retry-After (HTTP date) beyond the in-call wait fails the attempt, pauses the agent, and no call goes out before it', async () => {
    const until = new Date(time.ms + 120_000);
    server.script({ kind: 'status', status: 429, headers: { 'retry-after': until.toUTCString() } }, { kind: 'reply', content: prdReply() });
    const { agent } = agentFor(server, { maxRetries: 3, maxRetryAfterWaitMs: 30_000 }, { time });

    expect(await failureOf(agent.assess(anInput()))).toBeInstanceOf(RetryableError);
    expect(agent.availability()).toEqual({ state: 'paused', reason: expect.stringContaining('429'), until });
    const early = await failureOf(agent.assess(anInput()));
    expect(early.message).toContain('429 Retry-After');
    expect(server.requests).toHaveLength(1);

    time.advance(120_000);
    expect(agent.availability().state).toBe('available');
    expect((await agent.assess(anInput())).kind).toBe('prd');
    expect((server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(120_000);
  });

  it('a 401 is not retried and tells the operator to check LLM_API_KEY, without the key', async () => {
    server.script({ kind: 'status', status: 401, body: openAiError(`Incorrect API key provided: ${API_KEY}.`, 'invalid_request_error', 'invalid_api_key') });
    const { agent, registry } = agentFor(server, { maxRetries: 3 }, { time });
    const error = await failureOf(agent.assess(anInput()));
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toBe('the endpoint refused the API key (401): check LLM_API_KEY');
    expect(server.requests).toHaveLength(1);
    expect(await registry.metrics()).toContain('refinery_agent_calls_total{outcome="client_error"} 1');
  });

  it('a 404 names the model and LLM_MODEL', async () => {
    server.script({ kind: 'status', status: 404, body: openAiError('The model `test-model` does not exist', 'invalid_request_error', 'model_not_found') });
    const { agent } = agentFor(server, { maxRetries: 3 }, { time });
    const error = await failureOf(agent.assess(anInput()));
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toContain('model test-model not found (404)');
    expect(error.message).toContain('check LLM_MODEL');
    expect(server.requests).toHaveLength(1);
  });

  it("quotes a refusing endpoint's words cut between characters, never inside an emoji", async () => {
    // Either parity of the padding puts the cut at 300 on one of the emoji's two UTF-16 units.
    for (const pad of ['', 'x']) {
      server.script({ kind: 'status', status: 400, body: openAiError(`bad input ${pad}${'\u{1F680}'.repeat(200)}`, 'invalid_request_error') });
      const { agent } = agentFor(server, { maxRetries: 3 }, { time });
      const error = await failureOf(agent.assess(anInput()));
      expect(error).toBeInstanceOf(NonRetryableError);
      expect(error.message).toContain('the endpoint said: {"error":{"message":"bad input');
      expect(error.message.endsWith('\u{1F680}…')).toBe(true);
      expect(textProblem(error.message)).toBeUndefined();
    }
  });

  it('a reply that is not JSON is a retryable schema error', async () => {
    server.script({ kind: 'reply', content: '{"decision": "prd", "prd": {' });
    const { agent, registry } = agentFor(server, {}, { time });
    const error = await failureOf(agent.assess(anInput()));
    expect(error).toBeInstanceOf(LlmReplyError);
    expect(isRetryable(error)).toBe(true);
    expect(error.message).toContain('not valid JSON');
    expect(await registry.metrics()).toContain('refinery_agent_calls_total{outcome="schema_error"} 1');
  });

  it('a reply that breaks the schema is a retryable schema error saying what broke', async () => {
    server.script({ kind: 'reply', content: { decision: 'prd', questions: null, prd: { title: 'Dark mode' }, reason: null } });
    const { agent } = agentFor(server, {}, { time });
    const error = await failureOf(agent.assess(anInput()));
    expect(error).toBeInstanceOf(LlmReplyError);
    expect(error.message).toContain('broke the reply schema');
    expect(error.message).toContain('prd.problem');
  });

  it('a reply whose decision has no content is a schema error too', async () => {
    server.script({ kind: 'reply', content: { decision: 'questions', questions: [], prd: null, reason: null } });
    const { agent } = agentFor(server, {}, { time });
    const error = await failureOf(agent.assess(anInput()));
    expect(error).toBeInstanceOf(LlmReplyError);
    expect(error.message).toContain('without any question');
  });

  it('a reply with NUL or a lone surrogate in its text breaks the schema, naming the field, and is retried within the call', async () => {
    const withNul = prdReply() as { prd: { title: string } };
    withNul.prd.title = 'Dark mode\u0000';
    const withSurrogate = questionsReply() as { questions: Array<{ why: string }> };
    for (const question of withSurrogate.questions) question.why = 'Who uses it \ud800';
    server.script({ kind: 'reply', content: withNul }, { kind: 'reply', content: withSurrogate });
    const { agent } = agentFor(server, {}, { time });
    for (const field of ['prd.title', 'questions.0.why']) {
      const error = await failureOf(agent.assess(anInput()));
      expect(error).toBeInstanceOf(LlmReplyError);
      expect(isRetryable(error)).toBe(true);
      expect(error.message).toContain(field);
    }

    server.script({ kind: 'reply', content: withNul }, { kind: 'reply', content: prdReply() });
    const retrying = agentFor(server, { maxRetries: 1 }, { time });
    expect((await retrying.agent.assess(anInput())).kind).toBe('prd');
  });

  it('retries a schema error within the call when retries are allowed', async () => {
    server.script({ kind: 'reply', content: 'nonsense' }, { kind: 'reply', content: prdReply() });
    const { agent } = agentFor(server, { maxRetries: 1 }, { time });
    expect((await agent.assess(anInput())).kind).toBe('prd');
    expect(server.requests).toHaveLength(2);
  });

  it('with LLM_MAX_CONCURRENCY=1 the server never sees two requests in flight', async () => {
    const fallbackServer = await FakeLlmServer.start({ fallback: { kind: 'reply', content: prdReply(), delayMs: 25 } });
    try {
      const { agent } = agentFor(fallbackServer, { maxConcurrency: 1 }, { time });
      await Promise.all(Array.from({ length: 4 }, (_, i) => agent.assess(anInput({ taskId: `task-${i}` }))));
      expect(fallbackServer.requests).toHaveLength(4);
      expect(fallbackServer.maxInFlight).toBe(1);
    } finally {
      await fallbackServer.close();
    }
  });

  it('with LLM_MAX_CONCURRENCY=4 it does send them at once (the measurement above can see overlap)', async () => {
    const fallbackServer = await FakeLlmServer.start({ fallback: { kind: 'reply', content: prdReply(), delayMs: 200 } });
    try {
      const { agent } = agentFor(fallbackServer, { maxConcurrency: 4 }, { time });
      await Promise.all(Array.from({ length: 4 }, (_, i) => agent.assess(anInput({ taskId: `task-${i}` }))));
      expect(fallbackServer.maxInFlight).toBeGreaterThan(1);
    } finally {
      await fallbackServer.close();
    }
  });

  it('never puts the API key in a log line or an error, whatever fails', async () => {
    const { logger, lines } = capturingLogger();
    const echo = openAiError(`Incorrect API key provided: ${API_KEY}`, 'invalid_request_error');
    server.script(
      { kind: 'status', status: 401, body: echo },
      { kind: 'status', status: 400, body: echo },
      { kind: 'status', status: 403, body: echo },
      { kind: 'status', status: 500, body: echo },
      { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: echo },
      { kind: 'reply', content: `not json ${API_KEY}` },
      { kind: 'hang' },
    );
    const { agent } = agentFor(server, { timeoutMs: 150, breakerFailures: 100 }, { time, logger });
    const errors: Error[] = [];
    for (let i = 0; i < 7; i += 1) errors.push(await failureOf(agent.assess(anInput())));

    expect(errors[1]?.message).toContain('(400)');
    for (const error of errors) {
      expect(`${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}\n${String(error.cause)}`).not.toContain(API_KEY);
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(API_KEY);
  });
});
