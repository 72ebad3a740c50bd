import { z } from 'zod';
import { systemClock } from '../../../src/shared/kernel/clock';
import { silentLogger } from '../../../src/shared/logging/logger';
import { ContractRegistry, defineContract, message } from '../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../src/shared/messaging/envelope';
import { InMemoryMessageQueue } from '../../../src/shared/messaging/in-memory/in-memory-message-queue';
import { type Database, migrate, openDatabase } from '../../../src/shared/persistence/data-source';
import { OutboxRelay } from '../../../src/shared/persistence/outbox/outbox-relay';
import { execute } from '../../../src/shared/persistence/sql';
import { UnitOfWork } from '../../../src/shared/persistence/unit-of-work';
import { allMigrations } from '../../../migrations';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres';

const Counted = defineContract('test.counted.v1', 'event', z.object({ n: z.number().int() }));
const registry = new ContractRegistry().register(Counted);

describe('persistence on the real PostgreSQL', () => {
  let scratch: ScratchDatabase;
  let db: Database;
  let uow: UnitOfWork;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = await openDatabase({ url: scratch.url, entities: [], poolSize: 12 });
    uow = new UnitOfWork(db.dataSource, registry, systemClock);
  });
  afterAll(async () => {
    await db.close();
    await scratch.drop();
  });

  it('applies every migration to an empty database, then has nothing pending', async () => {
    expect(await db.dataSource.showMigrations()).toBe(true);
    const applied = await migrate(db.dataSource);
    expect(applied).toEqual(allMigrations.map((m) => m.name));
    expect(await db.dataSource.showMigrations()).toBe(false);
    expect(await migrate(db.dataSource)).toEqual([]);
  });

  it('serialises migrations of processes that start together on an empty database', async () => {
    const fresh = await createScratchDatabase();
    const processes = await Promise.all(Array.from({ length: 3 }, () => openDatabase({ url: fresh.url, entities: [], poolSize: 3 })));
    try {
      const applied = await Promise.all(processes.map((p) => migrate(p.dataSource, { serialise: true })));
      expect(applied.map((names) => names.length).sort()).toEqual([0, 0, allMigrations.length]);
    } finally {
      for (const p of processes) await p.close();
      await fresh.drop();
    }
    const schemas = await db.dataSource.query<Array<{ schema_name: string }>>(
      `SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY($1) ORDER BY 1`,
      [['human_interaction', 'messaging', 'orchestration', 'product_definition', 'task_management']],
    );
    expect(schemas.map((r) => r.schema_name)).toEqual(['human_interaction', 'messaging', 'orchestration', 'product_definition', 'task_management']);
  });

  it('inbox: 50 concurrent deliveries of one message id have exactly one effect', async () => {
    await db.dataSource.query(`CREATE TABLE IF NOT EXISTS public.effects (message_id uuid, n int)`);
    const incoming = createEnvelope(message(Counted, 'k', { n: 1 }));
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        uow.handleOnce('it.consumer', incoming, async (tx) => {
          await execute(tx.manager, `INSERT INTO public.effects (message_id, n) VALUES ($1, 1)`, [incoming.messageId]);
          tx.outbox.add(message(Counted, 'k', { n: 2 }));
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM public.effects WHERE message_id = $1`, [incoming.messageId]);
    expect(count).toBe(1);
    const [{ outbox }] = await db.dataSource.query(`SELECT count(*)::int AS outbox FROM messaging.outbox WHERE envelope->>'causationId' = $1`, [
      incoming.messageId,
    ]);
    expect(outbox).toBe(1);
  });

  it('outbox: rows from 200 concurrent transactions are published exactly once by three relays', async () => {
    const queue = new InMemoryMessageQueue({ registry });
    const seen: Envelope[] = [];
    await queue.subscribeToEvents({ consumer: 'it.counter', types: [Counted.type], handler: async (m) => void seen.push(m) });
    await db.dataSource.query(`UPDATE messaging.outbox SET sent_at = now() WHERE sent_at IS NULL`);
    await Promise.all(Array.from({ length: 200 }, (_, n) => uow.run(async (tx) => tx.outbox.add(message(Counted, `k${n}`, { n })))));
    const relays = Array.from({ length: 3 }, () => new OutboxRelay(db.dataSource, queue, silentLogger(), { batchSize: 7, pollIntervalMs: 10 }));
    let published = 0;
    for (;;) {
      const counts = await Promise.all(relays.map((relay) => relay.relayOnce()));
      published += counts.reduce((a, b) => a + b, 0);
      if (counts.every((c) => c === 0)) break;
    }
    await queue.whenIdle();
    expect(published).toBe(200);
    expect(new Set(seen.map((m) => m.messageId)).size).toBe(200);
    expect(seen).toHaveLength(200);
    const [{ unsent }] = await db.dataSource.query(`SELECT count(*)::int AS unsent FROM messaging.outbox WHERE sent_at IS NULL`);
    expect(unsent).toBe(0);
    await queue.close();
  });

  it('claims with SKIP LOCKED: 10 concurrent claimers take 100 rows, each exactly once', async () => {
    await db.dataSource.query(`CREATE TABLE public.jobs (id int PRIMARY KEY, claimed_by text)`);
    await db.dataSource.query(`INSERT INTO public.jobs (id) SELECT generate_series(1, 100)`);
    const claimer = async (name: string) => {
      const mine: number[] = [];
      for (;;) {
        const id = await uow.run(async (tx) => {
          const { rows } = await execute(tx.manager, `SELECT id FROM public.jobs WHERE claimed_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`);
          const row = z.array(z.object({ id: z.number() })).parse(rows)[0];
          if (!row) return undefined;
          await execute(tx.manager, `UPDATE public.jobs SET claimed_by = $2 WHERE id = $1`, [row.id, name]);
          return row.id;
        });
        if (id === undefined) return mine;
        mine.push(id);
      }
    };
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => claimer(`c${i}`)));
    const all = claims.flat();
    expect(all).toHaveLength(100);
    expect(new Set(all).size).toBe(100);
    expect(claims.filter((c) => c.length > 0).length).toBeGreaterThan(1);
  });
});
