import type { Application } from '../../../../../src/app/container';
import { startTestApp } from '../../../../support/app';
import { getChannels, putChannels } from '../../../../support/channel-helpers';

/** A service configured with neither SMTP nor a webhook secret: only the in-app inbox. */
describe('choosing notification channels (PUT /api/me/channels)', () => {
  let app: Application;
  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);
  afterAll(() => app.stop());

  it('starts with the in-app inbox only, and says which channels the service offers', async () => {
    expect(await getChannels(app, 'carol')).toEqual({
      status: 200,
      body: { inApp: true, email: null, webhookUrl: null, available: { email: false, webhook: false } },
    });
    expect((await putChannels(app, 'carol', { email: null, webhookUrl: null })).status).toBe(200);
    expect((await putChannels(app, 'carol', {})).status).toBe(200);
  });

  it('refuses a channel the service is not configured for, with 409 saying what is missing', async () => {
    const email = await putChannels(app, 'alice', { email: 'alice@example.com' });
    expect(email.status).toBe(409);
    expect(email.body.message).toContain('SMTP_URL');
    const webhook = await putChannels(app, 'alice', { webhookUrl: 'https://hooks.example.com/refinery' });
    expect(webhook.status).toBe(409);
    expect(webhook.body.message).toContain('WEBHOOK_SECRET');
    expect((await getChannels(app, 'alice')).body).toMatchObject({ email: null, webhookUrl: null });
  });

  it.each([
    [{ email: 'not-an-address' }, 'email'],
    [{ webhookUrl: 'ftp://hooks.example.com/x' }, 'webhookUrl'],
    [{ webhookUrl: 'javascript:alert(1)' }, 'webhookUrl'],
    [{ webhookUrl: 42 }, 'webhookUrl'],
    [{ email: null, sms: '+15550100' }, 'sms'],
  ])('answers 400 naming the field for %j', async (payload, field) => {
    const refused = await putChannels(app, 'alice', payload);
    expect(refused.status).toBe(400);
    expect(refused.body.issues?.map((i) => i.field)).toEqual([field]);
  });

  it('answers 401 without a token or with an unknown one', async () => {
    expect((await getChannels(app, undefined)).status).toBe(401);
    expect((await putChannels(app, undefined, { email: null })).status).toBe(401);
    const unknown = await app.http.inject({ method: 'GET', url: '/api/me/channels', headers: { authorization: 'Bearer not-a-known-token' } });
    expect(unknown.statusCode).toBe(401);
  });
});
