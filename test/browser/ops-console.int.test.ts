import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Application } from '../../src/app/container';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { RabbitMqTopology } from '../../src/shared/messaging/rabbitmq/rabbitmq-topology';
import { COMMANDS, deadLetterAnApproval } from '../app/support/dead-letter-fixtures';
import { Api, type TaskView } from '../support/api';
import { startTestApp, tokenOf, transportOf } from '../support/app';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { COMPLETE_ANSWER } from '../support/refinement-scenario';
import { childServiceEnv, ServiceProcess } from '../support/service-process';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const OVERVIEW_SHOT = path.join(ARTIFACTS, 'ops-overview.png');
const TRAIL_SHOT = path.join(ARTIFACTS, 'ops-trail.png');
const WAIT = { timeout: 30_000 };

/**
 * Issue #10's console check, in Debian's Chromium on the real PostgreSQL and RabbitMQ: task
 * management, orchestration and human interaction run in this process, product definition in a
 * child OS process. An admin finds a finished task by its correlation id and opens its trail,
 * replays a dead letter after the confirmation page counted it, watches the killed product
 * definition process go from live to gone, re-drives the task that stalled because of it, and
 * finds both actions in the audit log. Screenshots of the overview and a trail go to test-artifacts/.
 */
describe('the /ops console in a real browser (PostgreSQL, RabbitMQ, two processes)', () => {
  const prefix = `refinery-test-${randomBytes(4).toString('hex')}`;
  let scratch: ScratchDatabase;
  let broker: BrokerAdmin;
  let app: Application;
  let api: Api;
  let base: string;
  let browser: Browser;
  let context: BrowserContext | undefined;
  const children: ServiceProcess[] = [];

  const productDefinition = (): ServiceProcess => {
    const child = ServiceProcess.spawn('product-definition', {
      ...childServiceEnv(scratch.url, prefix),
      CONTEXTS: 'product-definition',
      POLL_INTERVAL_MS: '20',
      OUTBOX_POLL_INTERVAL_MS: '20',
      WORKER_HEARTBEAT_MS: '500',
      WORKER_LEASE_MS: '3000',
    });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    broker = await BrokerAdmin.open();
    app = await startTestApp({
      databaseUrl: scratch.url,
      env: {
        CONTEXTS: 'task-management,orchestration,human-interaction',
        DATABASE_URL: scratch.url,
        RABBITMQ_URL,
        RABBITMQ_PREFIX: prefix,
        RABBITMQ_QUEUE_TYPE: 'classic',
        PORT: '0',
        SCAN_INTERVAL_MS: '200',
        // A task 1.5 s in REQUEST_VALIDATION has stalled; the sweep's own repairs wait past the test.
        STALLED_REQUEST_VALIDATION_MS: '1500',
        REDRIVE_AFTER_MS: '600000',
        REPUBLISH_IDLE_MS: '600000',
        RESEND_UNCONFIRMED_AFTER_MS: '600000',
        WORKER_HEARTBEAT_MS: '500',
        WORKER_LEASE_MS: '3000',
      },
    });
    api = new Api(app);
    base = await app.listen();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'],
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    for (const child of children) await child.stop('SIGTERM');
    const topology = transportOf(app, RabbitMqMessageQueue).declaredTopology();
    await app.stop();
    const childQueues = new RabbitMqTopology(prefix, 'classic');
    for (const consumer of ['product-definition.task-events', 'product-definition.commands']) {
      const queues = childQueues.consumerQueues(consumer);
      for (const queue of [queues.work, queues.retry, queues.deadLetter]) await broker.deleteQueue(queue).catch(() => undefined);
    }
    await broker.deleteTopology(topology);
    await broker.close();
    await scratch.drop();
  }, 60_000);

  const statusOf = async (taskId: string) => (await api.get<TaskView>('root', `/api/tasks/${taskId}`)).body.task?.status;
  const submit = async (title: string) => (await api.post<{ taskId: string }>('alice', '/api/tasks', { title, description: COMPLETE_ANSWER })).body.taskId;

  const signedInAdmin = async (): Promise<Page> => {
    context = await browser.newContext({ baseURL: base });
    context.setDefaultTimeout(WAIT.timeout);
    const page = await context.newPage();
    await page.goto('/ops');
    await page.waitForURL(/\/inbox\/login\?next=/);
    await page.fill('#token', tokenOf('root'));
    await Promise.all([page.waitForURL(`${base}/inbox/ops`), page.click('button[type=submit]')]);
    return page;
  };

  it('searches, shows a trail, replays a dead letter, shows a killed worker gone, re-drives a stalled task, and audits each action', async () => {
    const first = productDefinition();
    await first.listening;

    // A request that went through: found by its correlation id, its trail opened.
    const done = await submit('Backlog trends');
    await eventually(async () => expect(await statusOf(done)).toBe('PRD_VALIDATION'), { timeoutMs: 30_000, intervalMs: 100 });
    // The correlation id an operator finds on the request's log lines: the one its messages carry.
    const rows: Array<{ correlation_id: string }> = await app.database.dataSource.query(
      `SELECT envelope->>'correlationId' AS correlation_id FROM messaging.outbox WHERE message_key = $1 ORDER BY id LIMIT 1`,
      [done],
    );
    const correlationId = rows[0]?.correlation_id ?? '';
    expect(correlationId).not.toBe('');

    const ops = await signedInAdmin();
    await ops.locator('#workers tr[data-context="product-definition"][data-live="1"]').waitFor(WAIT);
    await ops.fill('input[name="q"]', correlationId);
    await Promise.all([ops.waitForURL(/\/inbox\/ops\/search\?q=/), ops.click('form.search button[type=submit]')]);
    await expect(ops.locator('#results tr[data-task]').count()).resolves.toBe(1);
    await Promise.all([ops.waitForURL(new RegExp(`/inbox/ops/tasks/${done}$`)), ops.click(`#results tr[data-task="${done}"] a`)]);
    await expect(ops.locator('#task-facts [data-correlation-id]').getAttribute('data-correlation-id')).resolves.toBe(correlationId);
    expect(await ops.locator('#transitions tr[data-version]').count()).toBe(3);
    await ops.locator('#messages tr[data-type="product-definition.prd-drafted.v1"]').waitFor(WAIT);
    await expect(ops.locator('#prd-versions tr[data-prd-version="1"]').textContent()).resolves.toContain('rule-based');
    await mkdir(ARTIFACTS, { recursive: true });
    await ops.screenshot({ path: TRAIL_SHOT, fullPage: true });

    // A dead letter: the confirmation page counts it, the button replays exactly it.
    const dead = await deadLetterAnApproval(app);
    await ops.goto('/inbox/ops');
    await ops.click(`#dead-letters a:has-text("${COMMANDS}")`);
    await ops.click(`p.actions[data-consumer="${COMMANDS}"] a:has-text("Replay")`);
    await expect(ops.locator('p[data-count]').getAttribute('data-count')).resolves.toBe('1');
    await expect(ops.locator(`input[name="id"][value="${dead.id}"]`).count()).resolves.toBe(1);
    await ops.click('button:has-text("Replay 1 dead letter")');
    await ops.getByRole('heading', { name: 'Dead letters replayed' }).waitFor(WAIT);
    await expect(ops.locator('.flash').getAttribute('data-done')).resolves.toBe('1');

    // Product definition is killed: the registry marks it gone, and the console shows it.
    await ops.goto('/inbox/ops/workers');
    await ops.locator('tr[data-worker][data-status="live"]:has-text("product-definition")').waitFor(WAIT);
    await first.stop('SIGKILL');
    await eventually(
      async () => {
        await ops.reload();
        await expect(ops.locator('tr[data-worker][data-status="gone"]:has-text("product-definition")').count()).resolves.toBe(1);
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    await expect(ops.locator('#workers, table').first().textContent()).resolves.toContain('no live worker');

    // A request while it is down stalls in REQUEST_VALIDATION; the console re-drives it.
    const stuck = await submit('Export invoices');
    await eventually(async () => expect(await statusOf(stuck)).toBe('REQUEST_VALIDATION'), { timeoutMs: 20_000, intervalMs: 100 });
    await ops.goto('/inbox/ops');
    await eventually(
      async () => {
        await ops.goto('/inbox/ops/stalled');
        await expect(ops.locator(`tr[data-stalled-task="${stuck}"]`).count()).resolves.toBe(1);
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    await ops.goto('/inbox/ops');
    await expect(ops.locator('#stalled a').getAttribute('data-stalled')).resolves.toBe('1');
    await ops.screenshot({ path: OVERVIEW_SHOT, fullPage: true });
    await ops.goto('/inbox/ops/stalled');
    await ops.click(`tr[data-stalled-task="${stuck}"] a:has-text("Re-drive now")`);
    await ops.click('button:has-text("Re-drive this task")');
    await ops.getByRole('heading', { name: 'Re-drive sent' }).waitFor(WAIT);

    // Product definition back: the re-driven task moves on.
    await productDefinition().listening;
    await eventually(async () => expect(await statusOf(stuck)).toBe('PRD_VALIDATION'), { timeoutMs: 30_000, intervalMs: 100 });

    // Each action is in the audit log, by root, and it worked.
    await ops.goto('/inbox/ops/audit');
    const replayed = ops.locator('tr[data-action="dead-letters.replay"][data-outcome="ok"]');
    await expect(replayed.count()).resolves.toBe(1);
    await expect(replayed.textContent()).resolves.toContain('replayed 1 of 1 shown');
    const redriven = ops.locator('tr[data-action="task.redrive"][data-outcome="ok"]');
    await expect(redriven.count()).resolves.toBe(1);
    await expect(redriven.textContent()).resolves.toContain('root');

    for (const shot of [OVERVIEW_SHOT, TRAIL_SHOT]) expect((await stat(shot)).size).toBeGreaterThan(0);
  }, 180_000);
});
