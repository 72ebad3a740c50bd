import type { Application } from '../../../../../../src/app/container';
import { isInternalAddress, WebhookEgressPolicy } from '../../../../../../src/contexts/human-interaction/application/channel-preferences/webhook-egress';
import type { DeliveryContent } from '../../../../../../src/contexts/human-interaction/application/deliver-notifications/delivery-content';
import {
  type ResolveAll,
  WebhookChannel,
  WebhookDeliveryError,
  WebhookRefusedError,
} from '../../../../../../src/contexts/human-interaction/infrastructure/channels/webhook/webhook-channel';
import { Api } from '../../../../../support/api';
import { bearer, startTestApp } from '../../../../../support/app';
import { deliveriesOf, memoryLogger, putChannels } from '../../../../../support/channel-helpers';
import { eventually } from '../../../../../support/eventually';
import { notificationFor } from '../../../../../support/refinement-scenario';
import { WebhookReceiver } from '../../../../../support/webhook-receiver';
import { BrowserLike } from '../../web/support/browser-like';

const WEBHOOK_SECRET = 'egress-test-secret-0123456789abcdef';
const PASSWORD = 'hunter2-egress-password';

const CONTENT: DeliveryContent = {
  notificationId: 'n-egress-1',
  kind: 'clarification-requested',
  subject: 'Refinery needs more detail',
  headline: 'Please answer the questions.',
  recipientName: 'Carol',
  task: { taskId: 't-1', title: 'Egress', description: 'Make search better.' },
  taskVersion: 1,
  prdVersion: null,
  questions: ['Who uses it?'],
  prd: null,
  links: [],
  taskUrl: 'https://refinery.example.com/inbox/tasks/t-1',
};

/** A resolver that answers `addresses` for every name, as a DNS server an attacker runs could. */
const resolvingTo =
  (...addresses: string[]): ResolveAll =>
  (_host, callback) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

describe('webhook egress: no request to internal addresses (SSRF)', () => {
  describe('which addresses count as internal', () => {
    it.each([
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '10.0.0.1',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      'ff02::1',
      '255.255.255.255',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::a00:1',
      '192.0.2.10',
      'not an address',
    ])('%s is internal', (address) => {
      expect(isInternalAddress(address)).toBe(true);
    });

    it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '[2a00:1450:4001:82a::200e]'])('%s is public', (address) => {
      expect(isInternalAddress(address)).toBe(false);
    });
  });

  describe('what the URL alone gives away, whatever its spelling', () => {
    const policy = new WebhookEgressPolicy();
    it.each([
      ['http://2130706433/x', 'internal address'],
      ['http://0x7f.1/x', 'internal address'],
      ['http://127.1/x', 'internal address'],
      ['http://[::ffff:7f00:1]/x', 'internal address'],
      ['http://[0:0:0:0:0:0:0:1]/x', 'internal address'],
      ['http://169.254.169.254/latest/meta-data', 'internal address'],
      ['http://[fd00::1]/x', 'internal address'],
      ['https://hooks.example.com:8443/x', 'port'],
      ['http://hooks.example.com:443/x', undefined],
      ['https://user@hooks.example.com/x', 'userinfo'],
      ['https://:pw@hooks.example.com/x', 'userinfo'],
      ['ftp://hooks.example.com/x', 'scheme'],
      ['https://hooks.example.com/x', undefined],
      ['https://93.184.216.34/x', undefined],
    ])('%s: %s', (url, kind) => {
      expect(policy.checkUrl(url)?.kind).toBe(kind);
    });
  });

  describe('when a person sets the URL, and when it is delivered', () => {
    let app: Application;
    let api: Api;
    let listener: WebhookReceiver;
    let log: ReturnType<typeof memoryLogger>;
    let port: number;
    let base: string;

    beforeAll(async () => {
      listener = await WebhookReceiver.start(() => 200);
      port = listener.port;
      log = memoryLogger('debug');
      app = await startTestApp({
        logger: log.logger,
        env: {
          PORT: '0',
          WEBHOOK_SECRET,
          // The listener's port is allowed, so only the address can refuse the URLs that name it;
          // every host is listed, so the host list refuses none of them.
          WEBHOOK_ALLOWED_PORTS: String(port),
          WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,[::1],10.0.0.1,localhost,hooks.example.com',
          DELIVERY_MAX_ATTEMPTS: '3',
          DELIVERY_INITIAL_DELAY_MS: '20',
          DELIVERY_MAX_DELAY_MS: '100',
          DELIVERY_POLL_INTERVAL_MS: '10',
          DELIVERY_TIMEOUT_MS: '2000',
        },
      });
      base = await app.listen();
      api = new Api(app);
    }, 60_000);
    afterAll(async () => {
      await app.stop();
      await listener.close();
    });

    const internal = () => [
      { name: 'loopback IPv4', url: `http://127.0.0.1:${port}/hooks/x`, reason: 'internal address' },
      { name: 'loopback IPv6', url: `http://[::1]:${port}/hooks/x`, reason: 'internal address' },
      { name: 'private (RFC 1918)', url: `http://10.0.0.1:${port}/hooks/x`, reason: 'internal address' },
      { name: 'a name resolving to loopback', url: `http://localhost:${port}/hooks/x`, reason: 'internal address' },
      { name: 'an allowed host on port 4000', url: 'https://hooks.example.com:4000/hooks/x', reason: 'port' },
      { name: 'userinfo', url: `http://refinery:${PASSWORD}@hooks.example.com/hooks/x`, reason: 'userinfo' },
    ];

    it('answers 400 naming webhookUrl for each, and keeps the earlier choice', async () => {
      expect((await putChannels(app, 'alice', { webhookUrl: 'https://hooks.example.com/alice' })).status).toBe(200);
      const messages: Record<string, string> = {
        'internal address': 'internal address',
        port: 'port 4000 is not allowed',
        userinfo: 'user name or password',
      };
      for (const { url, reason } of internal()) {
        const refused = await putChannels(app, 'alice', { webhookUrl: url });
        expect({ url, status: refused.status }).toEqual({ url, status: 400 });
        expect(refused.body.issues).toEqual([{ field: 'webhookUrl', message: expect.stringContaining(messages[reason] ?? reason) }]);
        expect(JSON.stringify(refused.body)).not.toContain(PASSWORD);
      }
      const saved = await app.http.inject({ method: 'GET', url: '/api/me/channels', headers: bearer('alice') });
      expect(JSON.parse(saved.body)).toMatchObject({ webhookUrl: 'https://hooks.example.com/alice' });
      expect(listener.received).toEqual([]);
    });

    it('refuses them in the web settings form too', async () => {
      const web = new BrowserLike(base);
      await web.signIn('alice');
      const form = await web.post('/inbox/settings', { email: '', webhookUrl: `http://127.0.0.1:${port}/hooks/x` });
      expect(form.status).toBe(400);
      expect(form.body).toContain('internal address');
      expect(form.body).toMatch(/id="webhookUrl"[^>]*aria-invalid="true"/);
      expect(listener.received).toEqual([]);
    });

    it('refuses a URL stored before (written to the table) at delivery time, without retrying, and never contacts the listener', async () => {
      for (const { name, url, reason } of internal()) {
        // As if chosen before this version checked, or before the settings changed.
        await app.database.dataSource.query(
          `INSERT INTO human_interaction.user_channels (user_id, email, webhook_url, updated_at) VALUES ('carol', NULL, $1, now())
           ON CONFLICT (user_id) DO UPDATE SET webhook_url = EXCLUDED.webhook_url, updated_at = now()`,
          [url],
        );
        const { body } = await api.post<{ taskId: string }>('carol', '/api/tasks', { title: `Egress ${name}`, description: 'Make search better.' });
        const notification = await notificationFor(api, 'carol', body.taskId, 'clarification-requested');
        const [delivery] = await eventually(
          async () => {
            const rows = await deliveriesOf(app, { notificationId: notification.id });
            expect(rows.map((r) => r.status)).toEqual(['failed']);
            return rows;
          },
          { timeoutMs: 10_000, intervalMs: 20 },
        );
        // A class of error, never the URL; one attempt: retrying cannot help.
        expect({ name, lastError: delivery?.last_error, attempts: delivery?.attempts }).toEqual({
          name,
          lastError: `WebhookRefusedError: refused: ${reason}`,
          attempts: 1,
        });
      }
      expect(listener.received).toEqual([]);

      // The admin listing shows the class, not the URL or its password.
      const listing = await app.http.inject({ method: 'GET', url: '/api/admin/deliveries?status=failed', headers: bearer('root') });
      expect(listing.statusCode).toBe(200);
      expect(listing.body).toContain('refused: userinfo');
      expect(listing.body).not.toContain(PASSWORD);
      const logged = log.raw.join('\n');
      expect(logged).toContain('refused: internal address');
      expect(logged).not.toContain(PASSWORD);
      expect(logged).not.toContain('/hooks/x');
    });
  });

  describe('at connect time (the sender itself)', () => {
    let listener: WebhookReceiver;
    beforeAll(async () => {
      listener = await WebhookReceiver.start(() => 200);
    });
    afterAll(() => listener.close());
    const clock = { now: () => new Date() };

    it('refuses a public-looking name that resolves to an internal address (DNS rebinding) before any byte is sent', async () => {
      const policy = new WebhookEgressPolicy({ allowedPorts: [listener.port] });
      // At set time the name resolved to a public address; now it answers loopback.
      const channel = new WebhookChannel(WEBHOOK_SECRET, clock, policy, resolvingTo('127.0.0.1'));
      const sent = channel.send(`http://hooks.example.com:${listener.port}/hooks/x`, CONTENT, new AbortController().signal);
      await expect(sent).rejects.toThrow(WebhookRefusedError);
      await expect(sent).rejects.toThrow('refused: internal address');
      // One internal address among public ones refuses them all.
      const mixed = new WebhookChannel(WEBHOOK_SECRET, clock, policy, resolvingTo('93.184.216.34', '::ffff:127.0.0.1'));
      await expect(mixed.send(`http://hooks.example.com:${listener.port}/x`, CONTENT, new AbortController().signal)).rejects.toThrow(
        'refused: internal address',
      );
      expect(listener.received).toEqual([]);
      channel.close();
      mixed.close();
    });

    it('connects to the address it checked (WEBHOOK_ALLOW_INTERNAL lets it through), and reports a closed port as a class of error', async () => {
      const policy = new WebhookEgressPolicy({ allowedPorts: [listener.port], allowInternal: true });
      const channel = new WebhookChannel(WEBHOOK_SECRET, clock, policy, resolvingTo('127.0.0.1'));
      await channel.send(`http://receiver.invalid:${listener.port}/hooks/x`, CONTENT, new AbortController().signal);
      expect(listener.received).toHaveLength(1);
      expect(listener.received[0]?.headers.host).toBe(`receiver.invalid:${listener.port}`);

      const closed = await WebhookReceiver.start(() => 200);
      const closedPort = closed.port;
      await closed.close();
      const refusing = new WebhookChannel(WEBHOOK_SECRET, clock, new WebhookEgressPolicy({ allowedPorts: [closedPort], allowInternal: true }));
      const error = await refusing.send(`http://user:${PASSWORD}x@127.0.0.1:${closedPort}/`, CONTENT, new AbortController().signal).catch((e: unknown) => e);
      // userinfo is refused before connecting, even with internal targets allowed.
      expect(error).toBeInstanceOf(WebhookRefusedError);
      expect(String(error)).toBe('WebhookRefusedError: refused: userinfo');
      const unreachable = await refusing.send(`http://127.0.0.1:${closedPort}/secret-path`, CONTENT, new AbortController().signal).catch((e: unknown) => e);
      expect(unreachable).toBeInstanceOf(WebhookDeliveryError);
      expect(String(unreachable)).toBe('WebhookDeliveryError: connection refused');
      channel.close();
      refusing.close();
    });
  });
});
