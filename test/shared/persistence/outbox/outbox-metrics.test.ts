import { Registry } from 'prom-client';
import { z } from 'zod';
import { systemClock } from '../../../../src/shared/kernel/clock';
import { silentLogger } from '../../../../src/shared/logging/logger';
import { ContractRegistry, defineContract, message } from '../../../../src/shared/messaging/contract-registry';
import type { Envelope } from '../../../../src/shared/messaging/envelope';
import type { MessageQueue } from '../../../../src/shared/messaging/message-queue';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { registerOutboxMetrics } from '../../../../src/shared/persistence/outbox/outbox-metrics';
import { OutboxRelay } from '../../../../src/shared/persistence/outbox/outbox-relay';
import { UnitOfWork } from '../../../../src/shared/persistence/unit-of-work';
import { openTestDatabase } from '../../../support/database';
import { eventually } from '../../../support/eventually';
import { metricValue } from '../../../support/metrics';

const Noted = defineContract('outbox-metrics-test.noted.v1', 'event', z.object({ n: z.number().int() }));
const contracts = new ContractRegistry().register(Noted);

function collectingQueue(published: Envelope[]): MessageQueue {
  const publish = async (m: Envelope) => void published.push(m);
  return {
    publishEvent: publish,
    publishCommand: publish,
    subscribeToEvents: async () => async () => undefined,
    subscribeToCommands: async () => async () => undefined,
    close: async () => undefined,
  };
}

describe('outbox backlog metrics', () => {
  let db: Database;
  let uow: UnitOfWork;
  let registry: Registry;
  beforeAll(async () => {
    db = await openTestDatabase();
    uow = new UnitOfWork(db.dataSource, contracts, systemClock);
    registry = new Registry();
    registerOutboxMetrics(registry, db.dataSource, silentLogger());
  });
  afterAll(() => db.close());

  const backlog = async () => {
    const text = await registry.metrics();
    return { unsent: metricValue(text, 'refinery_outbox_unsent_messages'), age: metricValue(text, 'refinery_outbox_oldest_unsent_age_seconds') };
  };

  it('counts committed rows the relay has not sent, ages the oldest, and drops to zero once they are sent', async () => {
    expect(await backlog()).toEqual({ unsent: 0, age: 0 });

    // Rolled back: never in the outbox, never in the backlog.
    await expect(
      uow.run(async (tx) => {
        tx.outbox.add(message(Noted, 'k0', { n: 0 }));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await backlog()).unsent).toBe(0);

    await uow.run(async (tx) => tx.outbox.add(message(Noted, 'k1', { n: 1 })));
    await uow.run(async (tx) => tx.outbox.add(message(Noted, 'k2', { n: 2 }), message(Noted, 'k3', { n: 3 })));
    const first = await backlog();
    expect(first.unsent).toBe(3);
    expect(first.age).toBeGreaterThanOrEqual(0);
    expect(first.age).toBeLessThan(30);
    // The age is the database's clock against the row's created_at: it grows while the row waits.
    await eventually(async () => expect((await backlog()).age).toBeGreaterThan(first.age ?? Infinity), { timeoutMs: 5_000, intervalMs: 20 });

    // A row written 90 seconds ago (the relay was down) is the oldest: the age is its.
    await db.dataSource.query(`UPDATE messaging.outbox SET created_at = now() - interval '90 seconds' WHERE message_key = 'k1'`);
    const stale = await backlog();
    expect(stale.unsent).toBe(3);
    expect(stale.age).toBeGreaterThanOrEqual(90);
    expect(stale.age).toBeLessThan(120);

    const published: Envelope[] = [];
    const relay = new OutboxRelay(db.dataSource, collectingQueue(published), silentLogger(), { batchSize: 2, pollIntervalMs: 1_000 });
    expect(await relay.relayOnce()).toBe(2);
    expect((await backlog()).unsent).toBe(1);
    // k1 went first (oldest id): what is left is younger than 90 seconds.
    expect((await backlog()).age).toBeLessThan(90);
    expect(await relay.relayOnce()).toBe(1);
    expect(await backlog()).toEqual({ unsent: 0, age: 0 });
    expect(published).toHaveLength(3);
  });
});
