import type { Application } from '../../../src/app/container';
import { Api } from '../../support/api';
import { startTestApp } from '../../support/app';
import { eventually } from '../../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../../support/refinement-scenario';
import { putChannels } from '../../support/channel-helpers';
import { WebhookReceiver } from '../../support/webhook-receiver';
import { runRefineryAs as cli } from './support/run-cli';

interface ListedDelivery {
  notificationId: string;
  status: string;
  attempts: number;
  targetHost: string;
}

describe('refinery deliveries', () => {
  let app: Application;
  let url: string;
  let receiver: WebhookReceiver;
  let accepting = false;
  let notificationId: string;

  const listedJson = async (status: string): Promise<ListedDelivery[]> => {
    const run = await cli(url, 'root', ['deliveries', 'list', '--status', status, '--json']);
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as { deliveries: ListedDelivery[] }).deliveries;
  };
  const awaitStatus = (status: string) =>
    eventually(
      async () => {
        const found = (await listedJson(status)).find((d) => d.notificationId === notificationId);
        if (!found) throw new Error(`no ${status} delivery of ${notificationId} yet`);
        return found;
      },
      { timeoutMs: 15_000, intervalMs: 20 },
    );

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(() => (accepting ? 200 : 503));
    app = await startTestApp({
      env: {
        PORT: '0',
        WEBHOOK_SECRET: 'cli-delivery-test-secret-0123456789',
        ...WebhookReceiver.egressEnv(receiver),
        DELIVERY_MAX_ATTEMPTS: '2',
        DELIVERY_INITIAL_DELAY_MS: '5',
        DELIVERY_MAX_DELAY_MS: '50',
        DELIVERY_POLL_INTERVAL_MS: '20',
        DELIVERY_TIMEOUT_MS: '2000',
      },
    });
    url = await app.listen();
    const api = new Api(app);
    expect((await putChannels(app, 'bob', { webhookUrl: `${receiver.url}/secret-path-xyz` })).status).toBe(200);
    const { body } = await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Backlog trends', description: COMPLETE_ANSWER });
    notificationId = (await notificationFor(api, 'bob', body.taskId, 'prd-ready-for-review')).id;
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  it('lists failed deliveries (the default) as a table, the target as its host only', async () => {
    await awaitStatus('failed');
    const listed = await cli(url, 'root', ['deliveries', 'list']);
    expect(listed).toMatchObject({ code: 0, stderr: '', requests: 1 });
    const [header, row, count] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NOTIFICATION\s+CHANNEL\s+TO\s+TARGET\s+STATUS\s+ATTEMPTS\s+CREATED\s+LAST ERROR$/);
    expect(row?.split(/\s{2,}/)).toEqual([
      notificationId,
      'webhook',
      'bob',
      new URL(receiver.url).host,
      'failed',
      '2',
      expect.stringMatching(/^\d{4}-.*Z$/),
      'WebhookDeliveryError: HTTP 503',
    ]);
    expect(count).toBe('1 delivery');
    expect(listed.stdout).not.toContain('secret-path-xyz');
    expect(await cli(url, 'root', ['deliveries', 'list', '--status', 'pending'])).toEqual({
      code: 0,
      stdout: 'no pending deliveries\n',
      stderr: '',
      requests: 1,
    });
  });

  it('retries one delivery once the receiver is fixed; it is then sent with one attempt', async () => {
    await awaitStatus('failed');
    accepting = true;
    expect(await cli(url, 'root', ['deliveries', 'retry', '--notification', notificationId, '--channel', 'webhook'])).toEqual({
      code: 0,
      stdout: '1 delivery pending again\n',
      stderr: '',
      requests: 1,
    });
    expect(await awaitStatus('sent')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await cli(url, 'root', ['deliveries', 'retry', '--all-failed'])).toMatchObject({ code: 0, stdout: '0 deliveries pending again\n' });
  });

  it('exits 4 when the delivery is not failed (409) or does not exist (404)', async () => {
    await awaitStatus('sent');
    const notFailed = await cli(url, 'root', ['deliveries', 'retry', '--notification', notificationId, '--channel', 'webhook']);
    expect(notFailed).toMatchObject({ code: 4, stdout: '', requests: 1 });
    expect(notFailed.stderr).toMatch(/^error: refused \(409\): .*is sent, not failed/);
    expect(await cli(url, 'root', ['deliveries', 'retry', '--notification', 'nope', '--channel', 'email'])).toEqual({
      code: 4,
      stdout: '',
      stderr: 'error: not found (404): notification nope has no email delivery\n',
      requests: 1,
    });
  });

  it.each([
    [['deliveries', 'retry'], 'error: give --notification <id> with --channel email|webhook, or --all-failed\n'],
    [['deliveries', 'retry', '--notification', 'n-1'], 'error: give --notification <id> with --channel email|webhook, or --all-failed\n'],
    [['deliveries', 'retry', '--all-failed', '--channel', 'email'], 'error: give either --notification with --channel, or --all-failed, not both\n'],
    [
      ['deliveries', 'retry', '--notification', 'n-1', '--channel', 'sms'],
      expect.stringContaining("error: option '--channel <channel>' argument 'sms' is invalid"),
    ],
    [['deliveries', 'list', '--status', 'lost'], expect.stringContaining("error: option '--status <status>' argument 'lost' is invalid")],
    [['deliveries', 'list', '--limit', '0'], expect.stringContaining('expected a whole number above 0')],
  ])('exits 2 on a usage error, sending nothing: %j', async (argv, stderr) => {
    expect(await cli(url, 'root', argv)).toEqual({ code: 2, stdout: '', stderr, requests: 0 });
  });

  it('exits 3 for a token that is not an admin, 2 without a token', async () => {
    const forbidden = await cli(url, 'bob', ['deliveries', 'list']);
    expect(forbidden).toMatchObject({ code: 3, stdout: '', requests: 1 });
    expect(forbidden.stderr).toMatch(/^error: forbidden \(403\)/);
    expect((await cli(url, 'alice', ['deliveries', 'retry', '--all-failed'])).code).toBe(3);
    expect(await cli(url, undefined, ['deliveries', 'list'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'error: no token: pass --token or set REFINERY_TOKEN\n',
      requests: 0,
    });
  });

  it('is listed in --help', async () => {
    expect((await cli(url, undefined, ['--help'])).stdout).toMatch(/^ {2}deliveries\b/m);
    const retry = await cli(url, undefined, ['deliveries', 'retry', '--help']);
    for (const flag of ['--notification <id>', '--channel <channel>', '--all-failed']) expect(retry.stdout).toContain(flag);
  });
});
