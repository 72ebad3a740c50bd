import type { Application } from '../../../src/app/container';
import { bearer, startTestApp } from '../../support/app';
import { runRefineryAs as cli } from './support/run-cli';

const table = (email: string, webhook: string, server = { email: 'can send', webhook: 'can send' }) =>
  [
    `CHANNEL  CHOSEN${' '.repeat(Math.max(email.length, webhook.length, 11) - 6)}  SERVER`,
    `in-app   on (always)${' '.repeat(Math.max(email.length, webhook.length, 11) - 11)}  can send`,
    `email    ${email.padEnd(Math.max(email.length, webhook.length, 11))}  ${server.email}`,
    `webhook  ${webhook.padEnd(Math.max(email.length, webhook.length, 11))}  ${server.webhook}`,
    '',
  ].join('\n');

describe('refinery channels', () => {
  describe('on a server that can send email and webhooks', () => {
    let app: Application;
    let url: string;
    const channelsOf = async (user: string) =>
      (await app.http.inject({ method: 'GET', url: '/api/me/channels', headers: bearer(user) })).json<{ email: string | null; webhookUrl: string | null }>();

    beforeAll(async () => {
      // Nothing is delivered here (no task is submitted), so neither address is ever contacted.
      app = await startTestApp({ env: { PORT: '0', SMTP_URL: 'smtp://127.0.0.1:2525', WEBHOOK_SECRET: 'cli-test-webhook-secret-0123456789' } });
      url = await app.listen();
    }, 90_000);
    afterAll(() => app?.stop());

    it('shows your channels (also as `channels show`, and as the server sent them with --json)', async () => {
      const shown = await cli(url, 'bob', ['channels']);
      expect(shown).toEqual({ code: 0, stdout: table('off', 'off'), stderr: '', requests: 1 });
      expect((await cli(url, 'bob', ['channels', 'show'])).stdout).toBe(table('off', 'off'));
      const json = await cli(url, 'bob', ['channels', '--json']);
      expect(JSON.parse(json.stdout)).toEqual({ inApp: true, email: null, webhookUrl: null, available: { email: true, webhook: true } });
    });

    it('changes only what the flags name: the rest of the choice stays', async () => {
      const email = await cli(url, 'alice', ['channels', 'set', '--email', 'alice@example.com']);
      expect(email).toEqual({ code: 0, stdout: table('alice@example.com', 'off'), stderr: 'channels saved\n', requests: 2 });

      const webhook = await cli(url, 'alice', ['channels', 'set', '--webhook-url', 'https://hooks.example.com/alice']);
      expect(webhook.code).toBe(0);
      expect(webhook.stdout).toBe(table('alice@example.com', 'https://hooks.example.com/alice'));
      expect(await channelsOf('alice')).toMatchObject({ email: 'alice@example.com', webhookUrl: 'https://hooks.example.com/alice' });

      expect((await cli(url, 'alice', ['channels', 'set', '--no-email'])).code).toBe(0);
      expect(await channelsOf('alice')).toMatchObject({ email: null, webhookUrl: 'https://hooks.example.com/alice' });

      const both = await cli(url, 'alice', ['channels', 'set', '--email', 'a2@example.com', '--no-webhook', '--json']);
      expect(JSON.parse(both.stdout)).toMatchObject({ email: 'a2@example.com', webhookUrl: null });
      expect(await channelsOf('alice')).toMatchObject({ email: 'a2@example.com', webhookUrl: null });
      // Nobody else's choice moved.
      expect(await channelsOf('carol')).toMatchObject({ email: null, webhookUrl: null });
    });

    it('exits 2 when the server finds an address invalid (400), and leaves the choice as it was', async () => {
      await cli(url, 'carol', ['channels', 'set', '--email', 'carol@example.com']);
      expect(await cli(url, 'carol', ['channels', 'set', '--email', 'not-an-address'])).toEqual({
        code: 2,
        stdout: '',
        stderr: 'error: rejected (400): email: Invalid email address\n',
        requests: 2,
      });
      expect((await cli(url, 'carol', ['channels', 'set', '--webhook-url', 'ftp://hooks.example.com/x'])).stderr).toBe(
        'error: rejected (400): webhookUrl: must be an http or https URL\n',
      );
      expect(await channelsOf('carol')).toMatchObject({ email: 'carol@example.com', webhookUrl: null });
    });

    it.each([
      [['channels', 'set'], 'error: nothing to change: give --email <address>, --no-email, --webhook-url <url> or --no-webhook\n'],
      [
        ['channels', 'set', '--webhook-url', 'https://hooks.example.com/x', '--no-webhook'],
        "error: option '--no-webhook' cannot be used with option '--webhook-url <url>'\n",
      ],
      [['channels', 'set', '--email'], "error: option '--email <address>' argument missing\n"],
      [['channels', 'sett'], expect.stringContaining("error: too many arguments for 'show'")],
    ])('exits 2 on a usage error, sending nothing: %j', async (argv, stderr) => {
      expect(await cli(url, 'alice', argv)).toEqual({ code: 2, stdout: '', stderr, requests: 0 });
    });

    it('exits 3 without a token (nothing sent) and with one the server does not know', async () => {
      expect(await cli(url, undefined, ['channels'])).toEqual({
        code: 3,
        stdout: '',
        stderr: 'error: no token: pass --token or set REFINERY_TOKEN\n',
        requests: 0,
      });
      expect((await cli(url, undefined, ['channels', 'set', '--no-email'], 'not-a-token-anyone-has')).code).toBe(3);
    });
  });

  describe('on a server configured for neither', () => {
    let app: Application;
    let url: string;
    beforeAll(async () => {
      app = await startTestApp({ env: { PORT: '0' } });
      url = await app.listen();
    }, 90_000);
    afterAll(() => app?.stop());

    it('says which channels the server cannot send, and exits 4 when one is chosen (409), naming the setting', async () => {
      const server = { email: 'cannot send: not configured (SMTP_URL)', webhook: 'cannot send: not configured (WEBHOOK_SECRET)' };
      expect((await cli(url, 'bob', ['channels'])).stdout).toBe(table('off', 'off', server));
      expect(await cli(url, 'bob', ['channels', 'set', '--email', 'bob@example.com'])).toEqual({
        code: 4,
        stdout: '',
        stderr: 'error: refused (409): email notifications are not available: this service has no SMTP server configured (SMTP_URL)\n',
        requests: 2,
      });
      expect((await cli(url, 'bob', ['channels', 'set', '--webhook-url', 'https://hooks.example.com/bob'])).stderr).toContain('(WEBHOOK_SECRET)');
      // Turning channels off needs nothing configured.
      expect((await cli(url, 'bob', ['channels', 'set', '--no-email', '--no-webhook'])).code).toBe(0);
    });

    it('is listed in --help', async () => {
      const help = await cli(url, undefined, ['--help']);
      expect(help.stdout).toMatch(/^ {2}channels\b/m);
      const set = await cli(url, undefined, ['channels', 'set', '--help']);
      for (const flag of ['--email <address>', '--no-email', '--webhook-url <url>', '--no-webhook']) expect(set.stdout).toContain(flag);
    });
  });
});
