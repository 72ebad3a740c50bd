import { randomBytes } from 'node:crypto';
import type { Application } from '../../src/app/container';
import { PROMPT_VERSION } from '../../src/contexts/product-definition/infrastructure/agent/llm/prompt';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { Api, type TaskView } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { eventually } from '../support/eventually';
import { FakeLlmServer, type RecordedRequest } from '../support/fake-llm-server';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { notificationFor } from '../support/refinement-scenario';

const API_KEY = 'sk-workflow-test-0123456789abcdef';
import { ANSWER, FEEDBACK, REQUEST, VERSION_1, VERSION_2 } from '../support/invoice-export-script';

const reply = (content: unknown, promptTokens: number, completionTokens: number) => ({ kind: 'reply' as const, content, promptTokens, completionTokens });

/** The text of every message the model was sent in one request. */
function promptOf(recorded: RecordedRequest | undefined): string {
  const body = recorded?.body as { messages?: Array<{ content?: unknown }> } | undefined;
  return (body?.messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');
}

/**
 * The whole workflow with AGENT=llm on the real PostgreSQL and RabbitMQ, the model being a fake
 * OpenAI-compatible server (real HTTP) that fails the way providers do between its answers.
 */
describe('the refinement workflow with the LLM agent', () => {
  let scratch: ScratchDatabase;
  let admin: BrokerAdmin;
  let llm: FakeLlmServer;
  let app: Application;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
    llm = await FakeLlmServer.start();
    app = await startTestApp({
      databaseUrl: scratch.url,
      env: {
        RABBITMQ_URL,
        RABBITMQ_PREFIX: `refinery-test-${randomBytes(4).toString('hex')}`,
        AGENT: 'llm',
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'fake-model-1',
        LLM_API_KEY: API_KEY,
        LLM_TIMEOUT_MS: '1500',
        LLM_MAX_RETRIES: '3',
        LEASE_MS: '120000',
      },
    });
  });
  afterAll(async () => {
    const topology = app ? transportOf(app, RabbitMqMessageQueue).declaredTopology() : undefined;
    await app?.stop();
    if (topology) await admin.deleteTopology(topology);
    await admin?.close();
    await llm?.close();
    await scratch?.drop();
  });

  it('clarifies, writes v1, revises it from feedback with a diff, and is approved; the model saw exactly what people wrote', async () => {
    const api = new Api(app);
    const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
    llm.script(
      // Round 1: a 500 first (retried), then the question.
      { kind: 'status', status: 500 },
      reply(
        {
          decision: 'questions',
          questions: [
            {
              field: 'audience',
              question: 'Who runs the monthly export, and how many invoices does it hold?',
              why: 'The stories and the size limits depend on it.',
            },
          ],
          prd: null,
          reason: null,
        },
        900,
        60,
      ),
      // Version 1: rate limited (Retry-After), then a reply that is not JSON, then the PRD.
      { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      { kind: 'reply', content: '{"decision": "prd", "prd": {', promptTokens: 100, completionTokens: 5 },
      reply({ decision: 'prd', questions: null, prd: VERSION_1, reason: null }, 1_500, 700),
      // Version 2: a reply that breaks the schema, a hang (timed out), then the revision.
      reply({ decision: 'prd', questions: null, prd: { title: '' }, reason: null }, 1_600, 20),
      { kind: 'hang' },
      reply({ decision: 'prd', questions: null, prd: VERSION_2, reason: null }, 2_000, 750),
    );

    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', REQUEST)).body;
    const clarification = await notificationFor(api, 'alice', taskId, 'clarification-requested');
    expect(clarification.questions).toEqual([
      'About who it is for: Who runs the monthly export, and how many invoices does it hold? Why it matters: The stories and the size limits depend on it.',
    ]);
    const answers = (clarification.questions ?? []).map((question) => ({ question, answer: ANSWER }));
    expect((await api.post('alice', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);

    await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    const v1 = await task(taskId);
    expect(v1.prd?.version).toBe(1);
    const stored1 = v1.prd?.document;
    if (!stored1) throw new Error('no PRD version 1 on the task');
    expect(stored1.generatedBy).toMatchObject({ agent: 'llm', model: 'fake-model-1', promptVersion: PROMPT_VERSION, tokensIn: 1_600, tokensOut: 705 });
    // Every call of the attempt is counted, the broken reply's tokens too: what it cost, not what it kept.
    expect(stored1.generatedBy.calls).toBe(3);
    // The service, not the model, wrote the request and the clarification log into the PRD.
    expect(stored1.originalRequest).toBe(`${REQUEST.title}\n\n${REQUEST.description}`);
    expect(stored1.clarificationLog).toEqual([{ question: clarification.questions?.[0], answer: ANSWER }]);
    expect(stored1.nonFunctionalRequirements[0]?.sources).toEqual(VERSION_1.nonFunctionalRequirements[0]?.sources);

    expect((await api.post('bob', `/api/tasks/${taskId}/reject`, { feedback: FEEDBACK, prdVersion: 1 })).status).toBe(202);
    const v2 = await eventually(
      async () => {
        const view = await task(taskId);
        expect(view.prd?.version).toBe(2);
        return view;
      },
      { timeoutMs: 30_000 },
    );
    const stored2 = v2.prd?.document;
    if (!stored2) throw new Error('no PRD version 2 on the task');
    expect(stored2.feedback).toEqual([{ prdVersion: 1, feedback: FEEDBACK }]);
    expect(stored2.changeLog).toEqual(VERSION_2.changeLog);
    expect(stored2.generatedBy).toMatchObject({ agent: 'llm', model: 'fake-model-1', promptVersion: PROMPT_VERSION, tokensIn: 3_600, tokensOut: 770 });

    const diff = await api.get<{ requirements: Array<{ id: string; status: string }> }>('bob', `/api/tasks/${taskId}/prd/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body.requirements.filter((r) => r.status !== 'unchanged')).toEqual([expect.objectContaining({ id: 'FR-2', status: 'added' })]);

    expect((await api.post('bob', `/api/tasks/${taskId}/approve`, { prdVersion: 2 })).status).toBe(202);
    await eventually(async () => expect((await task(taskId)).task.status).toBe('APPROVED'));

    // What the model was sent: the request first, then the answer, then the feedback and version 1.
    const answered = llm.requests.filter((_, i) => [1, 4, 7].includes(i));
    expect(llm.requests).toHaveLength(8);
    expect(promptOf(answered[0])).toContain(REQUEST.description);
    expect(promptOf(answered[1])).toContain(ANSWER);
    expect(promptOf(answered[2])).toContain(FEEDBACK);
    expect(promptOf(answered[2])).toContain('Export one month of invoices as a CSV file');
    for (const recorded of llm.requests) expect(recorded.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect((llm.requests[1]?.body as { response_format?: { type?: string } }).response_format?.type).toBe('json_schema');
    // The call after the 429 waited out its Retry-After.
    expect((llm.requests[3]?.receivedAt ?? 0) - (llm.requests[2]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1_000);

    const metrics = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/refinery_agent_calls_total\{outcome="ok"\} 3/);
    expect(metrics.body).toMatch(/refinery_agent_tokens_total\{direction="in"\} \d+/);
    expect(await app.queue.listDeadLetters()).toEqual([]);
  });
});
