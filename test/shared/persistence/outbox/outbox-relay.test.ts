import { z } from 'zod';
import { systemClock } from '../../../../src/shared/kernel/clock';
import { silentLogger } from '../../../../src/shared/logging/logger';
import { ContractRegistry, defineContract, message } from '../../../../src/shared/messaging/contract-registry';
import type { Envelope } from '../../../../src/shared/messaging/envelope';
import { RetryableError } from '../../../../src/shared/kernel/errors';
import { InvalidMessageError } from '../../../../src/shared/messaging/errors';
import type { MessageQueue } from '../../../../src/shared/messaging/message-queue';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { OutboxRelay } from '../../../../src/shared/persistence/outbox/outbox-relay';
import { UnitOfWork } from '../../../../src/shared/persistence/unit-of-work';
import { openTestDatabase } from '../../../support/database';

const Noted = defineContract('test.noted.v1', 'event', z.object({ n: z.number().int() }));
const registry = new ContractRegistry().register(Noted);

/** A transport that refuses some messages, as a broker or a stale contract would. */
function refusingQueue(refuse: (m: Envelope) => Error | undefined, published: Envelope[]): MessageQueue {
  const publish = async (m: Envelope) => {
    const error = refuse(m);
    if (error) throw error;
    published.push(m);
  };
  return {
    publishEvent: publish,
    publishCommand: publish,
    subscribeToEvents: async () => async () => undefined,
    subscribeToCommands: async () => async () => undefined,
    close: async () => undefined,
  };
}

describe('OutboxRelay', () => {
  let db: Database;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await openTestDatabase();
    uow = new UnitOfWork(db.dataSource, registry, systemClock);
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query(`UPDATE messaging.outbox SET sent_at = now() WHERE sent_at IS NULL`));

  const commit = (n: number) => uow.run(async (tx) => tx.outbox.add(message(Noted, `k${n}`, { n })));
  const unsent = async () =>
    Number((await db.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM messaging.outbox WHERE sent_at IS NULL`))[0]?.n);

  it('sets aside a row that can never be published, with its reason, and publishes the rest', async () => {
    for (const n of [1, 2, 3]) await commit(n);
    const published: Envelope[] = [];
    const relay = new OutboxRelay(
      db.dataSource,
      refusingQueue((m) => ((m.payload as { n: number }).n === 1 ? new InvalidMessageError(Noted.type, ['payload.n: gone']) : undefined), published),
      silentLogger(),
      { batchSize: 1, pollIntervalMs: 10 },
    );
    expect(await relay.relayOnce()).toBe(0);
    expect(await relay.relayOnce()).toBe(1);
    expect(await relay.relayOnce()).toBe(1);
    expect(published.map((m) => (m.payload as { n: number }).n)).toEqual([2, 3]);
    const [aside] = await db.dataSource.query(
      `SELECT abandoned, last_error FROM messaging.outbox WHERE envelope->'payload'->>'n' = '1' ORDER BY id DESC LIMIT 1`,
    );
    expect(aside).toEqual({ abandoned: true, last_error: 'InvalidMessageError: invalid test.noted.v1: payload.n: gone' });
  });

  it('keeps a row that failed for a passing reason, and publishes it on a later pass', async () => {
    await commit(4);
    const published: Envelope[] = [];
    let brokerDown = true;
    const relay = new OutboxRelay(
      db.dataSource,
      refusingQueue(() => (brokerDown ? new RetryableError('broker unavailable') : undefined), published),
      silentLogger(),
    );
    expect(await relay.relayOnce()).toBe(0);
    expect(await unsent()).toBe(1);
    brokerDown = false;
    expect(await relay.relayOnce()).toBe(1);
    expect(await unsent()).toBe(0);
    expect(published).toHaveLength(1);
  });
});
