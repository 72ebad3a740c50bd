import { randomBytes } from 'node:crypto';
import type { MessagingStats } from '../../src/shared/messaging/monitoring/messaging-metrics';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { ApprovalBot, type BotProgress } from './support/approval-bot';
import { BrokerAdmin, ctl, ensureBrokerRunning, RABBITMQ_URL, rabbitmqctl } from './support/broker';
import { type FaultApp, startFaultApp } from './support/fault-app';
import { reportFigures } from './support/figures';
import { WarningWatch } from './support/warnings';
import { WorkflowLedger } from './support/workflow-ledger';

const WORKFLOWS = 200;
const WINDOW = 50;
/** Restart once this many PRDs are approved: the rest of the workflows are at every stage by then. */
const RESTART_AFTER_APPROVALS = 60;
const DEADLINE_MS = 120_000;
const HAPPY_PATH = 'NEW>REQUEST_VALIDATION>PRD_VALIDATION>APPROVED';
const prefix = `refinery-fault-${randomBytes(4).toString('hex')}`;

interface Restart {
  readonly stopMs: number;
  readonly startMs: number;
}

/** stop_app closes every connection and stops the queues; start_app brings them back from disk. */
async function restartBroker(): Promise<Restart> {
  const began = Date.now();
  await ctl(['stop_app']);
  const stopped = Date.now();
  await ctl(['start_app']);
  await ctl(['await_startup']);
  return { stopMs: stopped - began, startMs: Date.now() - stopped };
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
const sumNested = (counts: MessagingStats['handled']): number => Object.values(counts).reduce((a, byType) => a + sum(byType), 0);

if (!rabbitmqctl)
  process.stdout.write(
    '[fault:broker-restart] SKIPPED: rabbitmqctl not found (/usr/sbin, /usr/local/sbin, /usr/lib/rabbitmq/bin); the broker cannot be restarted from here\n',
  );

/**
 * The whole service on PostgreSQL and RabbitMQ, 200 workflows driven over HTTP, and the broker
 * restarted under it. Sweeps are out of reach (see startFaultApp), so this proves the transport
 * reconnects and re-subscribes, the outbox re-sends what the broker never confirmed, and the
 * inboxes absorb what it delivers twice: every workflow completes, every effect happens once.
 */
describe('the whole service across a broker restart', () => {
  let scratch: ScratchDatabase | undefined;
  let service: FaultApp | undefined;
  let restart: Promise<Restart> | undefined;
  let warnings: WarningWatch | undefined;

  beforeAll(async () => {
    if (!rabbitmqctl) return;
    warnings = WarningWatch.start();
    scratch = await createScratchDatabase();
    service = await startFaultApp(scratch.url, { RABBITMQ_URL, RABBITMQ_PREFIX: prefix, RABBITMQ_QUEUE_TYPE: 'quorum' });
  }, 60_000);

  afterAll(async () => {
    warnings?.stop();
    if (!rabbitmqctl) return;
    // Whatever happened above, the next tests (and the other people on this broker) need it back;
    // a restart still under way first, or its stop_app could land after our start_app.
    await restart?.catch(() => undefined);
    await ensureBrokerRunning();
    if (service) {
      const { transport } = service.app;
      const topology = transport instanceof RabbitMqMessageQueue ? transport.declaredTopology() : { queues: [], exchanges: [] };
      await service.app.stop();
      const admin = await BrokerAdmin.open();
      await admin.deleteTopology(topology);
      await admin.close();
    }
    await scratch?.drop();
  }, 120_000);

  (rabbitmqctl ? it : it.skip)(
    `completes ${WORKFLOWS} workflows, each exactly once, though the broker restarts midway`,
    async () => {
      const { app, log } = service as FaultApp;
      expect(app.transport).toBeInstanceOf(RabbitMqMessageQueue);
      const ledger = new WorkflowLedger(app.database.dataSource.manager);
      const startedAt = Date.now();
      const deadline = startedAt + DEADLINE_MS;
      const bot = new ApprovalBot(new Api(app), WORKFLOWS, WINDOW);
      let restartedAt: BotProgress | undefined;
      let timings: Restart | undefined;
      try {
        await bot.run(deadline, (progress) => {
          if (restart || progress.approvalsSent < RESTART_AFTER_APPROVALS) return;
          restartedAt = progress;
          restart = restartBroker();
          // Awaited below; until then a failure must not count as unhandled.
          restart.catch(() => undefined);
        });
        timings = await restart;
        await ledger.allCompleted(WORKFLOWS, deadline);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `not every workflow completed within ${DEADLINE_MS / 1000} s: ${reason}\n` +
            `ledger: ${await ledger.diagnostic()}\n` +
            `bot: ${JSON.stringify(bot.progress())}, restarted at ${JSON.stringify(restartedAt)}, restart: ${JSON.stringify(timings)}, broker connected: ${app.transport instanceof RabbitMqMessageQueue && app.transport.isConnected()}\n` +
            `warnings logged: ${JSON.stringify(Object.fromEntries(log.warnings))}`,
          { cause: error },
        );
      }
      const elapsedMs = Date.now() - startedAt;

      const statuses = await ledger.statuses();
      const transitions = await ledger.transitions();
      const prds = await ledger.prds();
      const notifications = await ledger.notifications();
      const deadLetters = await app.queue.listDeadLetters();
      const stats = app.queue.stats();
      const approved = statuses['APPROVED'] ?? 0;
      const notificationCount = Object.values(notifications).reduce((total, { n }) => total + n, 0);
      reportFigures('broker-restart', {
        sent: await ledger.outboxRows(),
        handled: sumNested(stats.handled),
        redelivered: log.redelivered,
        deadLettered: deadLetters.length + sumNested(stats.deadLettered),
        lost: WORKFLOWS - approved,
        duplicatedEffects: transitions - 4 * WORKFLOWS + (prds - WORKFLOWS) + (notificationCount - 2 * WORKFLOWS),
        extra: {
          workflows: WORKFLOWS,
          approved,
          'outbox-resent': await ledger.resentOutboxRows(),
          'publish-failures': sum(stats.publishFailed),
          retries: sumNested(stats.retried),
          'connections-lost': log.connectionsLost,
          connects: log.reconnects,
          'broker-stop-ms': timings?.stopMs ?? -1,
          'broker-start-ms': timings?.startMs ?? -1,
          'restart-at-approvals': restartedAt?.approvalsSent ?? -1,
          'approve-refused': bot.progress().refused,
          'elapsed-s': Math.round(elapsedMs / 100) / 10,
        },
      });

      expect(statuses).toEqual({ APPROVED: WORKFLOWS });
      expect(await ledger.paths()).toEqual({ [HAPPY_PATH]: WORKFLOWS });
      expect(await ledger.prdsPerTask()).toEqual({ '1': WORKFLOWS });
      expect(notifications).toEqual({ 'prd-ready-for-review': { n: WORKFLOWS, tasks: WORKFLOWS }, 'task-approved': { n: WORKFLOWS, tasks: WORKFLOWS } });
      // The last rows (the final announcements) may be committed a moment before the relay's next
      // pass, which backs off while the broker was failing: nothing may stay unsent.
      await eventually(async () => expect(await ledger.unsentOutboxRows()).toBe(0), { timeoutMs: 15_000, intervalMs: 50 });
      expect(deadLetters).toEqual([]);
      expect(stats.deadLettered).toEqual({});
      // The restart did reach the service: it lost its connection and made a new one.
      expect(log.connectionsLost).toBeGreaterThanOrEqual(1);
      expect(log.reconnects).toBeGreaterThanOrEqual(2);
      expect(warnings?.maxListenerWarnings()).toEqual([]);
    },
    150_000,
  );
});
