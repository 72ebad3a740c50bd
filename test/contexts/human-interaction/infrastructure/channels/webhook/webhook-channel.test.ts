import type { Application } from '../../../../../../src/app/container';
import type { WebhookBody } from '../../../../../../src/contexts/human-interaction/infrastructure/channels/webhook/render-webhook';
import { verifyWebhookSignature } from '../../../../../../src/contexts/human-interaction/infrastructure/channels/webhook/webhook-signature';
import { Api, type TaskView } from '../../../../../support/api';
import { startTestApp } from '../../../../../support/app';
import { eventually } from '../../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../../support/refinement-scenario';
import { deliveriesOf, getChannels, type LogLine, memoryLogger, putChannels } from '../../../../../support/channel-helpers';
import { type ReceivedRequest, WebhookReceiver } from '../../../../../support/webhook-receiver';

const WEBHOOK_SECRET = 'webhook-test-secret-0123456789abcdef';
const MAX_ATTEMPTS = 3;

const header = (request: ReceivedRequest, name: string): string => {
  const value = request.headers[name];
  if (typeof value !== 'string') throw new Error(`the request has no ${name} header`);
  return value;
};

const verified = (request: ReceivedRequest, now = new Date()) =>
  verifyWebhookSignature(WEBHOOK_SECRET, header(request, 'x-refinery-timestamp'), request.rawBody, header(request, 'x-refinery-signature'), now);

describe('webhook notifications', () => {
  let app: Application;
  let api: Api;
  let base: string;
  let log: ReturnType<typeof memoryLogger>;
  let flaky: WebhookReceiver;
  let broken: WebhookReceiver;

  beforeAll(async () => {
    flaky = await WebhookReceiver.start((n) => (n === 0 ? 500 : 200));
    broken = await WebhookReceiver.start(() => 503);
    log = memoryLogger();
    app = await startTestApp({
      logger: log.logger,
      env: {
        PORT: '0',
        WEBHOOK_SECRET,
        ...WebhookReceiver.egressEnv(flaky, broken),
        DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        DELIVERY_INITIAL_DELAY_MS: '20',
        DELIVERY_MAX_DELAY_MS: '200',
        DELIVERY_POLL_INTERVAL_MS: '10',
        DELIVERY_TIMEOUT_MS: '2000',
      },
    });
    base = await app.listen();
    api = new Api(app);
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await flaky.close();
    await broken.close();
  });

  it('lets a person choose a webhook, and shows the choice back', async () => {
    const chosen = await putChannels(app, 'bob', { webhookUrl: flaky.url });
    expect(chosen).toEqual({ status: 200, body: { inApp: true, email: null, webhookUrl: flaky.url, available: { email: false, webhook: true } } });
    expect((await getChannels(app, 'bob')).body).toMatchObject({ webhookUrl: flaky.url, email: null });
    // Email needs an SMTP server this service does not have.
    const email = await putChannels(app, 'bob', { email: 'bob@example.com', webhookUrl: flaky.url });
    expect(email.status).toBe(409);
    expect(email.body.message).toMatch(/SMTP/);
    expect((await getChannels(app, 'bob')).body).toMatchObject({ webhookUrl: flaky.url, email: null });
  });

  it('retries a webhook the receiver refused, with the same signed delivery id, until it is accepted', async () => {
    const submitted = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Backlog trends', description: COMPLETE_ANSWER });
    const { taskId } = submitted.body;
    const review = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');

    const [delivery] = await eventually(
      async () => {
        const rows = await deliveriesOf(app, { notificationId: review.id });
        expect(rows.map((r) => r.status)).toEqual(['sent']);
        return rows;
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    expect(delivery).toMatchObject({ channel: 'webhook', recipient_id: 'bob', target: flaky.url, attempts: 2, last_error: null });

    const requests = flaky.received.filter((r) => r.headers['x-refinery-delivery'] === `${review.id}:webhook`);
    expect(requests.map((r) => r.status)).toEqual([500, 200]);
    for (const request of requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(verified(request)).toBe(true);
    }
    const [first, second] = requests.map((r) => JSON.parse(r.rawBody.toString('utf8')) as WebhookBody);
    if (!first || !second) throw new Error('the receiver saw fewer than two requests');
    expect(second.refinery).toEqual(first.refinery);
    expect(second.refinery).toMatchObject({
      notificationId: review.id,
      kind: 'prd-ready-for-review',
      taskId,
      taskVersion: review.taskVersion,
      prdVersion: 1,
      title: 'Backlog trends',
    });
    expect(second.refinery.links).toEqual({
      task: `${base}/inbox/tasks/${taskId}`,
      approve: expect.stringMatching(new RegExp(`^${base}/inbox/links/[\\w-]+\\.[\\w-]+$`)),
      reject: expect.stringMatching(new RegExp(`^${base}/inbox/links/[\\w-]+\\.[\\w-]+$`)),
    });
    // Slack-compatible: a summary text with the links, and mrkdwn sections.
    expect(second.text).toContain(`<${second.refinery.links.approve}|Approve PRD v1>`);
    expect(second.blocks.length).toBeGreaterThan(1);
    for (const block of second.blocks) expect(block).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: expect.any(String) } });
    expect(second.blocks.map((b) => b.text.text).join('\n')).toContain('PRD version 1');

    // Alice chose nothing: the in-app inbox only.
    expect(await deliveriesOf(app, { recipientId: 'alice' })).toEqual([]);
  });

  it('refuses a tampered body, a changed timestamp, another secret and a stale request', async () => {
    const accepted = flaky.received.find((r) => r.status === 200);
    if (!accepted) throw new Error('the receiver accepted nothing yet');
    const timestamp = header(accepted, 'x-refinery-timestamp');
    const signature = header(accepted, 'x-refinery-signature');
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verified(accepted)).toBe(true);

    const tampered = Buffer.from(accepted.rawBody.toString('utf8').replace('"prdVersion":1', '"prdVersion":2'));
    expect(tampered.equals(accepted.rawBody)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, tampered, signature)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, String(Number(timestamp) + 1), accepted.rawBody, signature)).toBe(false);
    expect(verifyWebhookSignature('another-secret-0123456789abcdef', timestamp, accepted.rawBody, signature)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, accepted.rawBody, signature, new Date(Number(timestamp) * 1000 + 301_000))).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, accepted.rawBody, `v0=deadbeef, ${signature}`)).toBe(true);
  });

  it('gives up after the last attempt on a receiver that always fails, while the workflow and other people go on', async () => {
    expect((await putChannels(app, 'carol', { webhookUrl: broken.url })).status).toBe(200);
    const { body } = await api.post<{ taskId: string }>('carol', '/api/tasks', { title: 'Better search', description: 'Make search better.' });
    const taskId = body.taskId;
    // The in-app notification is there whatever the webhook does.
    const clarification = await notificationFor(api, 'carol', taskId, 'clarification-requested');

    const [failed] = await eventually(
      async () => {
        const rows = await deliveriesOf(app, { notificationId: clarification.id });
        expect(rows.map((r) => r.status)).toEqual(['failed']);
        return rows;
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    expect(failed).toMatchObject({
      channel: 'webhook',
      recipient_id: 'carol',
      attempts: MAX_ATTEMPTS,
      last_error: 'WebhookDeliveryError: HTTP 503',
      sent_at: null,
    });
    expect(broken.received.filter((r) => r.headers['x-refinery-delivery'] === `${clarification.id}:webhook`)).toHaveLength(MAX_ATTEMPTS);

    const given: LogLine | undefined = log.lines.find((l) => l.level === 50 && l['notificationId'] === clarification.id);
    expect(given).toMatchObject({ channel: 'webhook', recipientId: 'carol', attempt: MAX_ATTEMPTS, err: 'WebhookDeliveryError: HTTP 503' });
    expect(given?.msg).toContain(`notification ${clarification.id} to carol by webhook failed for good`);
    expect(log.raw.join('\n')).not.toContain(WEBHOOK_SECRET);
    // A webhook URL can be a credential itself (Slack's are): it never appears in the logs.
    expect(log.raw.join('\n')).not.toContain(broken.url);

    // Carol answers from the in-app inbox; the workflow reaches the approver, whose webhook works.
    const answers = (clarification.questions ?? []).map((question) => ({ question, answer: COMPLETE_ANSWER }));
    expect((await api.post('carol', `/api/tasks/${taskId}/answers`, { answers })).status).toBe(202);
    const review = await notificationFor(api, 'bob', taskId, 'prd-ready-for-review');
    await eventually(async () => expect((await deliveriesOf(app, { notificationId: review.id })).map((r) => r.status)).toEqual(['sent']), {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    expect((await api.get<TaskView>('carol', `/api/tasks/${taskId}`)).body.task.status).toBe('PRD_VALIDATION');

    const metrics = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/refinery_notification_deliveries_total\{channel="webhook",outcome="failed"\} 1\b/);
    expect(metrics.body).toMatch(/refinery_notification_deliveries_total\{channel="webhook",outcome="sent"\} [1-9]/);
  });
});
