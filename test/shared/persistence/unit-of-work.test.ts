import { z } from 'zod';
import { systemClock } from '../../../src/shared/kernel/clock';
import { ContractRegistry, defineContract, message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope } from '../../../src/shared/messaging/envelope';
import { InvalidMessageError } from '../../../src/shared/messaging/errors';
import type { Database } from '../../../src/shared/persistence/data-source';
import { execute } from '../../../src/shared/persistence/sql';
import { UnitOfWork } from '../../../src/shared/persistence/unit-of-work';
import { openTestDatabase } from '../../support/database';

const Pinged = defineContract('test.pinged.v1', 'event', z.object({ n: z.number().int() }));
const registry = new ContractRegistry().register(Pinged);

describe('UnitOfWork', () => {
  let db: Database;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await openTestDatabase();
    uow = new UnitOfWork(db.dataSource, registry, systemClock);
  });
  afterAll(() => db.close());

  const outboxCount = async () => Number((await db.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM messaging.outbox`))[0]?.n);

  it('commits outgoing messages with the effect, carrying the cause’s correlation id', async () => {
    const cause = createEnvelope(message(Pinged, 'k1', { n: 1 }));
    const before = await outboxCount();
    await uow.run(async (tx) => tx.outbox.add(message(Pinged, 'k1', { n: 2 })), cause);
    const rows = await db.dataSource.query<Array<{ envelope: unknown }>>(`SELECT envelope FROM messaging.outbox ORDER BY id DESC LIMIT 1`);
    expect(await outboxCount()).toBe(before + 1);
    expect(rows[0]?.envelope).toMatchObject({ correlationId: cause.correlationId, causationId: cause.messageId, payload: { n: 2 } });
  });

  it('starts the correlation from the task key when a message has no cause, or a cause about another key', async () => {
    await uow.run(async (tx) => tx.outbox.add(message(Pinged, 'task-7', { n: 1 })));
    await uow.run(async (tx) => tx.outbox.add(message(Pinged, 'task-8', { n: 1 })), createEnvelope(message(Pinged, 'sweep', { n: 0 })));
    const rows = await db.dataSource.query<Array<{ envelope: { key: string; correlationId: string } }>>(
      `SELECT envelope FROM messaging.outbox ORDER BY id DESC LIMIT 2`,
    );
    expect(rows.map((r) => [r.envelope.key, r.envelope.correlationId])).toEqual([
      ['task-8', 'task-8'],
      ['task-7', 'task-7'],
    ]);
  });

  it('tells its commit listeners (the relay) after a commit that wrote outbox rows, and only then', async () => {
    const own = new UnitOfWork(db.dataSource, registry, systemClock);
    let told = 0;
    own.onCommit(() => (told += 1));
    await own.run(async (tx) => tx.outbox.add(message(Pinged, 'k-listen', { n: 1 })));
    expect(told).toBe(1);
    await own.run(async () => undefined);
    expect(told).toBe(1);
    await expect(
      own.run(async (tx) => {
        tx.outbox.add(message(Pinged, 'k-listen', { n: 2 }));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(told).toBe(1);
  });

  it('writes no outbox row when the work fails', async () => {
    const before = await outboxCount();
    await expect(
      uow.run(async (tx) => {
        tx.outbox.add(message(Pinged, 'k1', { n: 3 }));
        await execute(tx.manager, 'SELECT 1/0');
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await outboxCount()).toBe(before);
  });

  it('refuses a message that breaks its contract, naming the field', async () => {
    await expect(uow.run(async (tx) => tx.outbox.add({ type: Pinged.type, kind: 'event', key: 'k', payload: { n: 'x' } }))).rejects.toThrow(
      new InvalidMessageError(Pinged.type, ['payload.n: Invalid input: expected number, received string']),
    );
  });

  it('handles a message id once per consumer', async () => {
    const incoming = createEnvelope(message(Pinged, 'k2', { n: 1 }));
    let effects = 0;
    const work = async () => {
      effects += 1;
    };
    expect(await uow.handleOnce('test.consumer', incoming, work)).toBe(true);
    expect(await uow.handleOnce('test.consumer', incoming, work)).toBe(false);
    expect(await uow.handleOnce('test.other-consumer', incoming, work)).toBe(true);
    expect(effects).toBe(2);
  });

  describe('around: one transaction the units of work inside join', () => {
    const keys = async (prefix: string) =>
      (
        await db.dataSource.query<Array<{ key: string }>>(`SELECT message_key AS key FROM messaging.outbox WHERE message_key LIKE $1 ORDER BY id`, [
          `${prefix}%`,
        ])
      ).map((r) => r.key);

    it('commits what the units inside did with what it did itself, and tells the listeners once it committed', async () => {
      const own = new UnitOfWork(db.dataSource, registry, systemClock);
      let told = 0;
      own.onCommit(() => (told += 1));
      await own.around(async (tx) => {
        await own.run(async (inner) => inner.outbox.add(message(Pinged, 'around-a-1', { n: 1 })));
        // Not yet committed: the listeners wait for the enclosing commit.
        expect(told).toBe(0);
        // The unit inside wrote on the enclosing transaction: visible to it, and to read() inside
        // (which uses its connection: PGlite has only the one).
        expect((await execute(tx.manager, `SELECT count(*)::int AS n FROM messaging.outbox WHERE message_key = 'around-a-1'`)).rows).toEqual([{ n: 1 }]);
        expect(
          await own.read(
            async (session) => (await execute(session.manager, `SELECT count(*)::int AS n FROM messaging.outbox WHERE message_key = 'around-a-1'`)).rows,
          ),
        ).toEqual([{ n: 1 }]);
      });
      expect(told).toBe(1);
      expect(await keys('around-a')).toEqual(['around-a-1']);
    });

    it('undoes only the failed unit inside (a savepoint), and everything when the enclosing work fails', async () => {
      await uow.around(async () => {
        await uow.run(async (tx) => tx.outbox.add(message(Pinged, 'around-b-kept', { n: 1 })));
        await expect(
          uow.run(async (tx) => {
            tx.outbox.add(message(Pinged, 'around-b-undone', { n: 1 }));
            await execute(tx.manager, 'SELECT 1/0');
          }),
        ).rejects.toThrow(/division by zero/);
      });
      expect(await keys('around-b')).toEqual(['around-b-kept']);

      await expect(
        uow.around(async () => {
          await uow.run(async (tx) => tx.outbox.add(message(Pinged, 'around-c-1', { n: 1 })));
          throw new Error('the request failed after the service call');
        }),
      ).rejects.toThrow('the request failed after the service call');
      expect(await keys('around-c')).toEqual([]);
    });

    it('is not joined by work that outlives it: a unit of work started from inside but run later commits on its own', async () => {
      let later: Promise<void> | undefined;
      await uow.around(async () => {
        later = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          await uow.run(async (tx) => tx.outbox.add(message(Pinged, 'around-d-later', { n: 1 })));
        });
      });
      await later;
      expect(await keys('around-d')).toEqual(['around-d-later']);
    });
  });
});
