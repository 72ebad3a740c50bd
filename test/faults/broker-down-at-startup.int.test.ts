import { randomBytes } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { BrokerAdmin, ctl, RABBITMQ_URL, rabbitmqctl } from './support/broker';
import { eventually } from '../support/eventually';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { childServiceEnv, ServiceProcess } from '../support/service-process';
import { TcpProxy } from '../support/tcp-proxy';
import { reportFigures } from './support/figures';
import { WarningWatch } from './support/warnings';

/** How long the broker stays unreachable after the process started (issue #11: 10 s). */
const OUTAGE_MS = 10_000;
const prefix = `refinery-startup-${randomBytes(4).toString('hex')}`;
const broker = new URL(RABBITMQ_URL);

/**
 * The service's own entry point in a child process whose RABBITMQ_URL points at a TCP proxy in
 * front of the real broker. Started while the proxy refuses connections, it waits (logging what it
 * waits for) instead of giving up, and once the path is restored it connects and becomes ready,
 * the same process. With a short STARTUP_TIMEOUT_MS and the broker kept away, it exits non-zero
 * naming RabbitMQ.
 */
describe('a process started while RabbitMQ is unreachable', () => {
  let scratch: ScratchDatabase;
  let proxy: TcpProxy | undefined;
  const children: ServiceProcess[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });

  afterAll(async () => {
    for (const child of children) await child.stop('SIGKILL');
    // The child's connection through the proxy ends by itself once the child is gone; resetting
    // a socket that is already closing (cut) has left a busy handle behind that kept jest from exiting.
    await eventually(() => expect(proxy?.stats().open ?? 0).toBe(0), { timeoutMs: 10_000, intervalMs: 50 }).catch(() => undefined);
    await proxy?.close();
    // What the child declared (it runs every context) on the machine's broker, found by prefix.
    if (rabbitmqctl) {
      const named = async (what: string) => (await ctl([what, '-q', '--no-table-headers', 'name'])).split('\n').filter((name) => name.startsWith(`${prefix}.`));
      const admin = await BrokerAdmin.open();
      await admin.deleteTopology({ queues: await named('list_queues'), exchanges: await named('list_exchanges') });
      await admin.close();
    }
    await scratch.drop();
  }, 60_000);

  it(`waits for it, and becomes ready without a restart once it is reachable ${OUTAGE_MS / 1000} s later`, async () => {
    proxy = await TcpProxy.start({ host: broker.hostname, port: Number(broker.port || 5672) }, { listening: false });
    const child = ServiceProcess.spawn('broker-down-at-startup', {
      ...childServiceEnv(scratch.url, prefix),
      RABBITMQ_URL: proxy.rewrite(RABBITMQ_URL),
      MIGRATE_ON_START: 'true',
      LOG_LEVEL: 'info',
    });
    children.push(child);
    const address = `127.0.0.1:${proxy.port}`;
    // It is waiting, and says for what.
    await eventually(() => expect(child.tail(200)).toContain(`waiting for RabbitMQ at ${address}`), { timeoutMs: 30_000, intervalMs: 50 });
    const startedAt = Date.now();
    await pause(OUTAGE_MS);
    expect(child.isRunning()).toBe(true);
    const waitingLines = child
      .tail(10_000)
      .split('\n')
      .filter((line) => line.includes(`waiting for RabbitMQ at ${address}`)).length;
    await proxy.restore();
    const url = await child.listening;
    const readyAfterMs = Date.now() - startedAt;
    const ready = await eventually(
      async () => {
        const response = await fetch(`${url}/ready`);
        expect(response.status).toBe(200);
        return (await response.json()) as Record<string, unknown>;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(ready).toMatchObject({ status: 'ready', broker: 'connected', database: 'up' });
    // The same process, not a restart: it never exited.
    expect(child.isRunning()).toBe(true);
    expect(child.tail(10_000)).toContain(`connected to RabbitMQ at ${address}`);
    // Backoff capped at a few seconds: over a 10 s outage it tried several times.
    expect(waitingLines).toBeGreaterThanOrEqual(4);
    expect(new WarningWatch().maxListenerWarnings(child.tail(10_000))).toEqual([]);
    reportFigures('broker-down-at-startup', {
      sent: 0,
      handled: 0,
      redelivered: 0,
      deadLettered: 0,
      lost: 0,
      duplicatedEffects: 0,
      extra: { 'outage-ms': OUTAGE_MS, 'waiting-lines': waitingLines, 'ready-after-ms': readyAfterMs, 'proxy-accepted': proxy.stats().accepted },
    });
  }, 90_000);

  it('gives up after STARTUP_TIMEOUT_MS, exiting non-zero and naming RabbitMQ', async () => {
    const closed = await TcpProxy.start({ host: broker.hostname, port: Number(broker.port || 5672) }, { listening: false });
    try {
      const child = ServiceProcess.spawn('broker-never-up', {
        ...childServiceEnv(scratch.url, prefix),
        RABBITMQ_URL: closed.rewrite(RABBITMQ_URL),
        MIGRATE_ON_START: 'true',
        STARTUP_TIMEOUT_MS: '2000',
      });
      children.push(child);
      expect(await child.ended()).toBe(1);
      expect(child.tail()).toMatch(
        new RegExp(`Refinery failed to start: cannot connect to RabbitMQ at 127\\.0\\.0\\.1:${closed.port} within 2000 ms \\(STARTUP_TIMEOUT_MS\\)`),
      );
      // The URL's credentials never reach the output.
      expect(child.tail(10_000)).not.toContain(`${broker.username}:${broker.password}@`);
    } finally {
      await closed.close();
    }
  }, 60_000);
});
