import type { Application } from '../../../../../src/app/container';
import { deliveryListView, deliveryRetryView } from '../../../../../src/contexts/human-interaction/infrastructure/http/delivery-admin.schemas';
import { Api } from '../../../../support/api';
import { bearer, startTestApp } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { putChannels } from '../../../../support/channel-helpers';
import { WebhookReceiver } from '../../../../support/webhook-receiver';

const MAX_ATTEMPTS = 2;

describe('operators see and retry failed deliveries (/api/admin/deliveries)', () => {
  let app: Application;
  let api: Api;
  let receiver: WebhookReceiver;
  // The receiver refuses everything until a test "fixes" it.
  let accepting = false;
  // A Slack-style URL: the path is the secret, and must never show in a listing.
  let hookUrl: string;
  let notificationId: string;

  const list = async (query = '', user = 'root') => {
    const response = await app.http.inject({ method: 'GET', url: `/api/admin/deliveries${query}`, headers: bearer(user) });
    return { status: response.statusCode, raw: response.body, body: response.json<Record<string, unknown>>() };
  };
  const retry = async (payload: unknown, user = 'root') => {
    const response = await app.http.inject({ method: 'POST', url: '/api/admin/deliveries/retry', headers: bearer(user), payload: payload as object });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  /** The delivery of this test's notification as the listing shows it, in `status`. */
  const listed = async (status: string) => {
    const { body } = await list(`?status=${status}`);
    const found = deliveryListView.parse(body).deliveries.find((d) => d.notificationId === notificationId);
    if (!found) throw new Error(`notification ${notificationId} has no ${status} delivery yet`);
    return found;
  };
  const requestsForNotification = () => receiver.received.filter((r) => r.headers['x-refinery-delivery'] === `${notificationId}:webhook`);

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(() => (accepting ? 200 : 503));
    hookUrl = `${receiver.url}/T0KEN-s3cret-path?sig=also-secret`;
    app = await startTestApp({
      env: {
        PORT: '0',
        WEBHOOK_SECRET: 'delivery-admin-test-secret-0123456789',
        ...WebhookReceiver.egressEnv(receiver),
        DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        DELIVERY_INITIAL_DELAY_MS: '5',
        DELIVERY_MAX_DELAY_MS: '50',
        DELIVERY_POLL_INTERVAL_MS: '20',
        DELIVERY_TIMEOUT_MS: '2000',
      },
    });
    await app.listen();
    api = new Api(app);
    expect((await putChannels(app, 'bob', { webhookUrl: hookUrl })).status).toBe(200);
    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Backlog trends', description: COMPLETE_ANSWER });
    notificationId = (await notificationFor(api, 'bob', body.taskId, 'prd-ready-for-review')).id;
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  it('lists a delivery that failed for good, with its target only as the webhook host', async () => {
    const failed = await eventually(() => listed('failed'), { timeoutMs: 15_000, intervalMs: 20 });
    expect(failed).toEqual({
      notificationId,
      channel: 'webhook',
      recipientId: 'bob',
      targetHost: new URL(receiver.url).host,
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      lastError: 'WebhookDeliveryError: HTTP 503',
      nextAttemptAt: null,
      createdAt: expect.any(String),
      sentAt: null,
    });
    expect(requestsForNotification()).toHaveLength(MAX_ATTEMPTS);
    // Failed is the default status; the secret path and query appear nowhere in the answer.
    const byDefault = await list();
    expect(byDefault.status).toBe(200);
    expect(deliveryListView.parse(byDefault.body).deliveries.map((d) => d.notificationId)).toContain(notificationId);
    expect(byDefault.raw).not.toContain('T0KEN');
    expect(byDefault.raw).not.toContain('also-secret');
    expect(byDefault.raw).not.toContain('/hooks/refinery');
  });

  it('retries with a fresh set of attempts: still broken, it fails again after MAX_ATTEMPTS more', async () => {
    await eventually(() => listed('failed'), { timeoutMs: 15_000, intervalMs: 20 });
    const retried = await retry({ allFailed: true });
    expect(retried.status).toBe(200);
    expect(deliveryRetryView.parse(retried.body).retried).toBeGreaterThanOrEqual(1);
    await eventually(
      async () => {
        expect(requestsForNotification()).toHaveLength(2 * MAX_ATTEMPTS);
        expect(await listed('failed')).toMatchObject({ attempts: MAX_ATTEMPTS, lastError: 'WebhookDeliveryError: HTTP 503' });
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );
  });

  it('sends a named failed delivery at once once the receiver is fixed: sent, with one attempt', async () => {
    await eventually(() => listed('failed'), { timeoutMs: 15_000, intervalMs: 20 });
    accepting = true;
    const retried = await retry({ notificationId, channel: 'webhook' });
    expect(retried).toEqual({ status: 200, body: { retried: 1 } });
    const sent = await eventually(() => listed('sent'), { timeoutMs: 15_000, intervalMs: 20 });
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, lastError: null, nextAttemptAt: null, sentAt: expect.any(String) });
    expect(requestsForNotification().map((r) => r.status)).toEqual([503, 503, 503, 503, 200]);
    // No longer failed, so no longer in the default listing.
    expect(deliveryListView.parse((await list()).body).deliveries.map((d) => d.notificationId)).not.toContain(notificationId);
  });

  it('answers 409 for a delivery that is not failed, 404 for one that does not exist', async () => {
    await eventually(() => listed('sent'), { timeoutMs: 15_000, intervalMs: 20 });
    const notFailed = await retry({ notificationId, channel: 'webhook' });
    expect(notFailed.status).toBe(409);
    expect(notFailed.body['message']).toContain('is sent, not failed');
    expect((await retry({ notificationId, channel: 'email' })).status).toBe(404);
    expect(await retry({ notificationId: 'no-such-notification', channel: 'webhook' })).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'notification no-such-notification has no webhook delivery' },
    });
    // With nothing failed, "all failed" retries none and is no error.
    expect(await retry({ allFailed: true })).toEqual({ status: 200, body: { retried: 0 } });
  });

  it.each([
    [{}, 'body'],
    [{ notificationId: 'n-1' }, 'channel'],
    [{ channel: 'webhook' }, 'notificationId'],
    [{ notificationId: 'n-1', channel: 'webhook', allFailed: true }, 'allFailed'],
    [{ notificationId: 'n-1', channel: 'sms' }, 'channel'],
    [{ allFailed: false }, 'allFailed'],
    [{ allFailed: true, force: true }, 'force'],
  ])('refuses a retry body that is not exactly one form (400 naming the field): %j', async (payload, field) => {
    const refused = await retry(payload);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_request', issues: [expect.objectContaining({ field })] });
  });

  it.each([
    ['?status=lost', 'status'],
    ['?limit=0', 'limit'],
    ['?limit=many', 'limit'],
    ['?limit=5000', 'limit'],
    ['?state=failed', 'state'],
  ])('refuses a listing query it does not know (400 naming the field): %s', async (query, field) => {
    const refused = await list(query);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_request', issues: [expect.objectContaining({ field })] });
  });

  it('lists newest first, at most `limit`', async () => {
    // A second notification to bob, delivered at once now that the receiver accepts.
    const { body } = await api.post<{ taskId: string }>('carol', '/api/tasks', { title: 'Queue trends', description: COMPLETE_ANSWER });
    const newer = (await notificationFor(api, 'bob', body.taskId, 'prd-ready-for-review')).id;
    const sent = await eventually(
      async () => {
        const deliveries = deliveryListView.parse((await list('?status=sent')).body).deliveries;
        expect(deliveries.map((d) => d.notificationId)).toEqual([newer, notificationId]);
        return deliveries;
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );
    expect(deliveryListView.parse((await list('?status=sent&limit=1')).body).deliveries).toEqual([sent[0]]);
  });

  it('is for admins only: 403 for anyone else, 401 without a token', async () => {
    for (const user of ['alice', 'bob']) {
      expect((await list('', user)).status).toBe(403);
      expect((await retry({ allFailed: true }, user)).status).toBe(403);
      // Refused before the request is looked at: a malformed one is a 403 too, not a 400.
      expect((await list('?status=bogus', user)).status).toBe(403);
      expect((await retry({ nonsense: 1 }, user)).status).toBe(403);
    }
    const anonymous = await app.http.inject({ method: 'GET', url: '/api/admin/deliveries' });
    expect(anonymous.statusCode).toBe(401);
    const anonymousRetry = await app.http.inject({ method: 'POST', url: '/api/admin/deliveries/retry', payload: { allFailed: true } });
    expect(anonymousRetry.statusCode).toBe(401);
  });
});
