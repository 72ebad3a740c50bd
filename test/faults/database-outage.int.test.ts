import { randomBytes } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { z } from 'zod';
import type { TaskView } from '../support/api';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { childServiceEnv, ServiceProcess } from '../support/service-process';
import { TcpProxy } from '../support/tcp-proxy';
import { ApprovalBot, type BotProgress } from './support/approval-bot';
import { BrokerAdmin, ctl, RABBITMQ_URL, rabbitmqctl } from './support/broker';
import { type FaultApp, startFaultApp } from './support/fault-app';
import { reportFigures } from './support/figures';
import { WarningWatch } from './support/warnings';
import { WorkflowLedger } from './support/workflow-ledger';
import { DataSource } from 'typeorm';

const WORKFLOWS = 200;
const WINDOW = 50;
/** Cut once this many PRDs are approved: the other workflows are at every stage by then. */
const CUT_AFTER_APPROVALS = 60;
const CUT_MS = 15_000;
const DEADLINE_MS = 240_000;
const HAPPY_PATH = 'NEW>REQUEST_VALIDATION>PRD_VALIDATION>APPROVED';
const prefix = `refinery-dbcut-${randomBytes(4).toString('hex')}`;
/** Each context but human interaction (which serves the API in this process) in its own OS process. */
const CHILDREN = ['task-management', 'orchestration', 'product-definition'] as const;
// The settings of startFaultApp, for the children too: repairs by sweep are out of the test's reach.
const NO_SWEEPS = { SCAN_INTERVAL_MS: '200', REDRIVE_AFTER_MS: '600000', REPUBLISH_IDLE_MS: '600000', RESEND_UNCONFIRMED_AFTER_MS: '600000' };

const queueLine = z.tuple([z.string(), z.coerce.number()]);

/** Every queue of this test's prefix on the broker, with the messages ready in it (children's included). */
async function queuesOfPrefix(): Promise<Array<{ name: string; messages: number }>> {
  const out = await ctl(['list_queues', '-q', '--no-table-headers', 'name', 'messages']);
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 2 && fields[0]?.startsWith(`${prefix}.`))
    .map((fields) => {
      const [name, messages] = queueLine.parse(fields);
      return { name, messages };
    });
}

async function exchangesOfPrefix(): Promise<string[]> {
  const out = await ctl(['list_exchanges', '-q', '--no-table-headers', 'name']);
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.startsWith(`${prefix}.`));
}

if (!rabbitmqctl) process.stdout.write('[fault:database-outage] SKIPPED: rabbitmqctl not found; the dead-letter queues of other processes cannot be counted\n');

/**
 * The split deployment (task management, orchestration and product definition each in a child OS
 * process, human interaction serving the API here) on the real RabbitMQ, with every process's
 * PostgreSQL connections through a TCP proxy in this test. Midway through 200 workflows the proxy
 * cuts them for 15 s: open connections reset, new ones refused, as a slow restart or a failover
 * looks from the service. Consumers hold their messages instead of spending attempts, the API
 * answers 503 naming PostgreSQL, and once the proxy lets connections through again every workflow
 * completes exactly once, with nothing dead-lettered.
 */
describe('the split service across a 15 s database outage', () => {
  let scratch: ScratchDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let service: FaultApp | undefined;
  let direct: DataSource | undefined;
  const children: ServiceProcess[] = [];
  /** The cut and its restore, while under way: awaited before the proxy closes, or it would listen again after. */
  let outage: Promise<void> | undefined;
  let warnings: WarningWatch | undefined;

  beforeAll(async () => {
    if (!rabbitmqctl) return;
    warnings = WarningWatch.start();
    scratch = await createScratchDatabase();
    const target = new URL(scratch.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    const proxied = proxy.rewrite(scratch.url);
    service = await startFaultApp(proxied, {
      CONTEXTS: 'human-interaction',
      DATABASE_URL: proxied,
      RABBITMQ_URL,
      RABBITMQ_PREFIX: prefix,
      RABBITMQ_QUEUE_TYPE: 'classic',
    });
    for (const context of CHILDREN) {
      children.push(ServiceProcess.spawn(context, { ...childServiceEnv(proxied, prefix), ...NO_SWEEPS, CONTEXTS: context, LOG_LEVEL: 'warn' }));
    }
    await Promise.all(children.map((child) => child.listening));
    // The test's own reads go straight to PostgreSQL: the cut is the service's, not the ledger's.
    direct = new DataSource({ type: 'postgres', url: scratch.url, extra: { max: 2 } });
    await direct.initialize();
  }, 120_000);

  afterAll(async () => {
    warnings?.stop();
    if (!rabbitmqctl) return;
    await outage?.catch(() => undefined);
    await proxy?.restore();
    await Promise.all(children.map((child) => child.stop('SIGTERM')));
    await service?.app.stop();
    const admin = await BrokerAdmin.open();
    await admin.deleteTopology({ queues: (await queuesOfPrefix()).map((q) => q.name), exchanges: await exchangesOfPrefix() });
    await admin.close();
    await direct?.destroy();
    await proxy?.close();
    await scratch?.drop();
  }, 120_000);

  (rabbitmqctl ? it : it.skip)(
    `completes ${WORKFLOWS} workflows, each exactly once and none dead-lettered, though PostgreSQL is cut for ${CUT_MS / 1000} s midway`,
    async () => {
      const { app, log } = service as FaultApp;
      const ledger = new WorkflowLedger((direct as DataSource).manager);
      const api = new Api(app);
      const startedAt = Date.now();
      const deadline = startedAt + DEADLINE_MS;
      const bot = new ApprovalBot(api, WORKFLOWS, WINDOW);
      let cutAt: BotProgress | undefined;
      let answersBeforeCut = new Map<number, number>();
      let answersDuringCut = new Map<number, number>();
      let readyDuringCut: { status: number; body: Record<string, unknown> } | undefined;
      try {
        await bot.run(deadline, (progress) => {
          if (outage || progress.approvalsSent < CUT_AFTER_APPROVALS) return;
          cutAt = progress;
          answersBeforeCut = new Map(bot.answers);
          outage = (async () => {
            await (proxy as TcpProxy).cut();
            // What an operator's probe sees while it lasts.
            await eventually(
              async () => {
                const ready = await app.http.inject({ method: 'GET', url: '/ready' });
                expect(ready.statusCode).toBe(503);
                readyDuringCut = { status: ready.statusCode, body: JSON.parse(ready.body) as Record<string, unknown> };
              },
              { timeoutMs: 5_000, intervalMs: 100 },
            );
            await pause(CUT_MS);
            answersDuringCut = new Map([...bot.answers].map(([status, n]) => [status, n - (answersBeforeCut.get(status) ?? 0)]));
            await (proxy as TcpProxy).restore();
          })();
          outage.catch(() => undefined);
        });
        await outage;
        await ledger.allCompleted(WORKFLOWS, deadline, 200);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `not every workflow completed within ${DEADLINE_MS / 1000} s: ${reason}\n` +
            `ledger: ${await ledger.diagnostic()}\n` +
            `bot: ${JSON.stringify(bot.progress())}, cut at ${JSON.stringify(cutAt)}\n` +
            `warnings logged here: ${JSON.stringify(Object.fromEntries(log.warnings))}\n` +
            children.map((child) => `--- ${child.name}:\n${child.tail(15)}`).join('\n'),
          { cause: error },
        );
      }
      const elapsedMs = Date.now() - startedAt;

      const statuses = await ledger.statuses();
      const transitions = await ledger.transitions();
      const prds = await ledger.prds();
      const notifications = await ledger.notifications();
      const queues = await queuesOfPrefix();
      const deadLetters = queues.filter((q) => q.name.endsWith('.dlq')).reduce((n, q) => n + q.messages, 0);
      const approved = statuses['APPROVED'] ?? 0;
      const notificationCount = Object.values(notifications).reduce((total, { n }) => total + n, 0);
      // Human interaction's own view of each task: its PRD, as the approver reads it.
      const views = await Promise.all(bot.taskIds.map((id) => api.get<TaskView>('bob', `/api/tasks/${id}`)));
      const withPrd = views.filter((view) => view.status === 200 && view.body.prd?.version === 1).length;
      const unavailableDuringCut = answersDuringCut.get(503) ?? 0;
      const serverErrors = [...bot.answers].filter(([status]) => status >= 500 && status !== 503).reduce((n, [, k]) => n + k, 0);
      const maxListenerWarnings = (warnings as WarningWatch).maxListenerWarnings(...children.map((child) => child.tail(Number.MAX_SAFE_INTEGER)));
      reportFigures('database-outage', {
        sent: await ledger.outboxRows(),
        handled: await ledger.inboxRows(),
        redelivered: log.redelivered,
        deadLettered: deadLetters,
        lost: WORKFLOWS - approved,
        duplicatedEffects: transitions - 4 * WORKFLOWS + (prds - WORKFLOWS) + (notificationCount - 2 * WORKFLOWS),
        extra: {
          workflows: WORKFLOWS,
          approved,
          'prd-visible-in-human-interaction': withPrd,
          'cut-ms': CUT_MS,
          'cut-at-approvals': cutAt?.approvalsSent ?? -1,
          'connections-reset': (proxy as TcpProxy).stats().reset,
          'api-503-during-cut': unavailableDuringCut,
          'api-503-total': bot.answers.get(503) ?? 0,
          'api-5xx-other': serverErrors,
          'max-listener-warnings': maxListenerWarnings.length,
          'elapsed-s': Math.round(elapsedMs / 100) / 10,
        },
      });

      expect(statuses).toEqual({ APPROVED: WORKFLOWS });
      expect(await ledger.paths()).toEqual({ [HAPPY_PATH]: WORKFLOWS });
      expect(await ledger.prdsPerTask()).toEqual({ '1': WORKFLOWS });
      expect(notifications).toEqual({ 'prd-ready-for-review': { n: WORKFLOWS, tasks: WORKFLOWS }, 'task-approved': { n: WORKFLOWS, tasks: WORKFLOWS } });
      expect(withPrd).toBe(WORKFLOWS);
      expect(deadLetters).toBe(0);
      // During the cut the API said so: 503s naming PostgreSQL, never a 500.
      expect(unavailableDuringCut).toBeGreaterThan(0);
      expect(serverErrors).toBe(0);
      expect(readyDuringCut?.body).toMatchObject({ status: 'unavailable', database: 'down', unavailable: ['PostgreSQL'] });
      expect(maxListenerWarnings).toEqual([]);
    },
    DEADLINE_MS + 30_000,
  );
});
