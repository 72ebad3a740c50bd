import type { Application } from '../../src/app/container';
import { Api, type TaskView } from '../support/api';
import { startTestApp } from '../support/app';
import { putChannels } from '../support/channel-helpers';
import { eventually } from '../support/eventually';
import { FakeLlmServer, openAiError } from '../support/fake-llm-server';
import { WebhookReceiver } from '../support/webhook-receiver';

const API_KEY = 'sk-wrong-key-0123456789abcdef';

/** A bad key is not retried: the task fails at once and the requester is told what to fix. */
describe('an LLM endpoint that refuses the API key', () => {
  let app: Application;
  let llm: FakeLlmServer;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    llm = await FakeLlmServer.start({
      fallback: { kind: 'status', status: 401, body: openAiError('Incorrect API key provided', 'invalid_request_error', 'invalid_api_key') },
    });
    hook = await WebhookReceiver.start(() => 200);
    app = await startTestApp({
      env: {
        PORT: '0',
        WEBHOOK_SECRET: 'webhook-test-secret-0123456789abcdef',
        ...WebhookReceiver.egressEnv(hook),
        DELIVERY_POLL_INTERVAL_MS: '10',
        AGENT: 'llm',
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'fake-model-1',
        LLM_API_KEY: API_KEY,
        LLM_MAX_RETRIES: '3',
        AGENT_MAX_ATTEMPTS: '3',
      },
    });
    await app.listen();
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await hook.close();
    await llm.close();
  });

  it('fails the task after one call, and the failure notification says to check LLM_API_KEY, without the key', async () => {
    const api = new Api(app);
    expect((await putChannels(app, 'alice', { webhookUrl: hook.url })).status).toBe(200);

    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Export invoices', description: 'Finance needs CSV exports.' }))
      .body;

    await eventually(async () => expect((await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task.status).toBe('FAILED'), { timeoutMs: 20_000 });
    expect(llm.requests).toHaveLength(1);
    const delivered = await eventually(
      () => {
        const body = hook.received.map((r) => r.rawBody.toString('utf8')).find((text) => text.includes(taskId));
        if (!body) throw new Error('no webhook about the task yet');
        return body;
      },
      { timeoutMs: 20_000 },
    );
    expect(delivered).toContain('LLM_API_KEY');
    expect(delivered).toContain('401');
    expect(delivered).not.toContain(API_KEY);
  });
});
