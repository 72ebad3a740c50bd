import { PostgresDeliveryRepository } from '../../../src/contexts/human-interaction/infrastructure/persistence/postgres-delivery.repository';
import { PostgresWorkItemRepository } from '../../../src/contexts/product-definition/infrastructure/persistence/postgres-work-item.repository';
import { silentLogger } from '../../../src/shared/logging/logger';
import type { Envelope } from '../../../src/shared/messaging/envelope';
import type { MessageQueue, Subscription } from '../../../src/shared/messaging/message-queue';
import type { Database } from '../../../src/shared/persistence/data-source';
import { execute } from '../../../src/shared/persistence/sql';
import { countingQueue, WorkCounter } from '../../../src/shared/workers/work-counter';
import type { WorkerInstance } from '../../../src/shared/workers/worker-instance';
import { type LeaseReleaser, listWorkers, WorkerRegistry } from '../../../src/shared/workers/worker-registry';
import { openTestDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';

const HEARTBEAT_MS = 50;
const LEASE_MS = 400;

let next = 0;
const anInstance = (): WorkerInstance => {
  next += 1;
  return { id: `test-host/${1000 + next}/${String(next).padStart(8, '0')}`, host: 'test-host', pid: 1000 + next, version: '9.9.9' };
};

/** A context's releaser that records whom it was asked about and answers how many it "released". */
class RecordingReleaser implements LeaseReleaser {
  readonly calls: string[] = [];
  constructor(readonly context: string) {}
  async releaseLeasesOf(instanceId: string): Promise<number> {
    this.calls.push(instanceId);
    return 1;
  }
}

describe('the worker registry', () => {
  let db: Database;
  const started: WorkerRegistry[] = [];

  const registry = (contexts: string[], releasers: LeaseReleaser[] = [], counter = new WorkCounter()) => {
    const instance = anInstance();
    const r = new WorkerRegistry(
      { contexts, heartbeatMs: HEARTBEAT_MS, leaseMs: LEASE_MS },
      { dataSource: db.dataSource, logger: silentLogger(), instance, load: () => counter, releasers },
    );
    started.push(r);
    return r;
  };
  const find = async (id: string) => (await listWorkers(db.dataSource)).find((w) => w.id === id);

  beforeAll(async () => {
    db = await openTestDatabase();
  }, 60_000);
  afterEach(async () => {
    for (const r of started.splice(0)) await r.deregister();
    await db.dataSource.query(`DELETE FROM operations.workers`);
  });
  afterAll(() => db.close());

  it('registers a process as live with what it runs, and heartbeats its counts on the database clock', async () => {
    const counter = new WorkCounter();
    const r = registry(['orchestration', 'product-definition'], [], counter);
    await r.start();
    const first = await find(r.id);
    expect(first).toMatchObject({
      contexts: ['orchestration', 'product-definition'],
      host: 'test-host',
      version: '9.9.9',
      status: 'live',
      inFlight: 0,
      handled: 0,
    });

    let release!: () => void;
    const held = counter.track(() => new Promise<void>((resolve) => (release = resolve)));
    await eventually(async () => expect(await find(r.id)).toMatchObject({ inFlight: 1, handled: 0 }));
    release();
    await held;
    await eventually(async () => expect(await find(r.id)).toMatchObject({ inFlight: 0, handled: 1 }));
    const later = await find(r.id);
    expect(later?.lastHeartbeatAt.getTime()).toBeGreaterThan(first?.lastHeartbeatAt.getTime() ?? Infinity);
    expect(later?.heartbeatAgeMs).toBeLessThan(LEASE_MS);
  });

  it('marks an instance that stopped heartbeating gone once its lease passed, and has each context it ran release its leases once', async () => {
    const dead = registry(['product-definition', 'human-interaction']);
    await dead.start();
    const productDefinition = new RecordingReleaser('product-definition');
    const orchestration = new RecordingReleaser('orchestration');
    const survivor = registry(['product-definition', 'orchestration'], [productDefinition, orchestration]);
    await survivor.start();

    await dead.loop.stop(); // dies: no more heartbeats, no deregistration
    const gone = await eventually(
      async () => {
        const row = await find(dead.id);
        expect(row?.status).toBe('gone');
        return row;
      },
      { timeoutMs: 5_000 },
    );
    expect((gone?.goneAt?.getTime() ?? 0) - (gone?.lastHeartbeatAt.getTime() ?? 0)).toBeGreaterThanOrEqual(LEASE_MS);
    await eventually(async () => expect((await find(dead.id))?.releasedContexts).toEqual(['product-definition']));
    // More sweeps do not release again; orchestration (which the dead one did not run) never did.
    await survivor.beat();
    await survivor.beat();
    expect(productDefinition.calls).toEqual([dead.id]);
    expect(orchestration.calls).toEqual([]);
    expect((await find(survivor.id))?.status).toBe('live');
  });

  it('shows draining after SIGTERM, and deletes the row on a clean exit', async () => {
    const r = registry(['task-management']);
    await r.start();
    await r.markDraining();
    expect((await find(r.id))?.status).toBe('draining');
    await r.beat(); // still heartbeating while it drains, still draining
    expect((await find(r.id))?.status).toBe('draining');
    await r.deregister();
    expect(await find(r.id)).toBeUndefined();
  });

  it('rejoins as live when it heartbeats after it was marked gone (a long pause)', async () => {
    const r = registry(['task-management']);
    await r.start();
    await execute(
      db.dataSource.manager,
      `UPDATE operations.workers SET status = 'gone', gone_at = now(), released_contexts = '{task-management}' WHERE id = $1`,
      [r.id],
    );
    await r.beat();
    expect(await find(r.id)).toMatchObject({ status: 'live', goneAt: null, releasedContexts: [] });
  });

  it('refuses a lease no longer than the heartbeat', () => {
    expect(
      () =>
        new WorkerRegistry(
          { contexts: [], heartbeatMs: 500, leaseMs: 500 },
          { dataSource: db.dataSource, logger: silentLogger(), instance: anInstance(), load: () => new WorkCounter(), releasers: [] },
        ),
    ).toThrow(/lease must be longer than the heartbeat/);
  });
});

describe("the contexts' lease release", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  }, 60_000);
  afterAll(() => db.close());

  it("puts back only the gone instance's leased work items, at once, with their attempt counted", async () => {
    const items = new PostgresWorkItemRepository(db.dataSource.manager);
    const now = new Date();
    for (const taskId of ['t-1', 't-2', 't-3']) await items.ensure({ taskId, taskVersion: 2, priority: 'normal', createdAt: now });
    const gone = 'host-a/10/aaaa0001';
    const mine = await items.claimNext(`${gone}/1`, now, 120_000);
    const alike = await items.claimNext(`${gone}0/1`, now, 120_000); // another instance whose id starts the same
    const other = await items.claimNext(`host-b/11/bbbb0001/2`, now, 120_000);

    expect(await items.releaseLeasesOf(gone)).toBe(1);
    expect(await items.find(mine?.taskId ?? '', 2)).toMatchObject({ status: 'pending', leaseOwner: null, attempts: 1 });
    expect(await items.find(alike?.taskId ?? '', 2)).toMatchObject({ status: 'leased', leaseOwner: `${gone}0/1` });
    expect(await items.find(other?.taskId ?? '', 2)).toMatchObject({ status: 'leased' });
    // Claimable now, long before its 120 s lease would have ended; the old claim can no longer complete.
    expect(await items.claimNext('host-b/11/bbbb0001/1', now, 120_000)).toMatchObject({ taskId: mine?.taskId, attempts: 2 });
    expect(await items.release({ itemId: mine?.id ?? '', owner: `${gone}/1`, version: mine?.version ?? 0 })).toBe(false);
    expect(await items.releaseLeasesOf(gone)).toBe(0);
  });

  it("makes the gone instance's unfinished deliveries due now, and leaves finished ones alone", async () => {
    const deliveries = new PostgresDeliveryRepository(db.dataSource.manager);
    const created = new Date('2026-01-05T10:00:00Z');
    for (const id of ['n-1', 'n-2']) {
      await execute(
        db.dataSource.manager,
        `INSERT INTO human_interaction.notifications (id, recipient_id, task_id, task_version, kind, subject, created_at)
         VALUES ($1, 'bob', 'task-1', 3, 'prd-ready-for-review', 'PRD ready', $2)`,
        [id, created],
      );
      await deliveries.insert({ id, recipientId: 'bob' }, [{ channel: 'webhook', target: 'https://hooks.example.com/x' }], created);
    }
    const gone = 'host-a/10/aaaa0002';
    const leaseUntil = new Date(created.getTime() + 60_000);
    const claimed = await deliveries.claimDue(created, leaseUntil, 10, gone);
    expect(claimed.map((d) => d.notificationId)).toEqual(['n-1', 'n-2']);
    const [first] = claimed;
    if (!first) throw new Error('nothing claimed');
    expect(await deliveries.markSent(first, created)).toBe(true);

    const releasedAt = new Date(created.getTime() + 1_000);
    expect(await deliveries.releaseLeasesOf(gone, releasedAt)).toBe(1);
    expect(await deliveries.find('n-2', 'webhook')).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: releasedAt });
    expect(await deliveries.find('n-1', 'webhook')).toMatchObject({ status: 'sent' });
    expect((await deliveries.claimDue(releasedAt, leaseUntil, 10, 'host-b/11/bbbb0002')).map((d) => [d.notificationId, d.attempts])).toEqual([['n-2', 2]]);
    expect(await deliveries.releaseLeasesOf(gone, releasedAt)).toBe(0);
  });
});

describe('the counting queue the contexts subscribe through', () => {
  it('counts each handler call in flight, then handled, failures included, and passes failures on', async () => {
    const subscribed: Subscription[] = [];
    const inner: MessageQueue = {
      publishEvent: async () => undefined,
      publishCommand: async () => undefined,
      subscribeToEvents: async (s) => (subscribed.push(s), async () => undefined),
      subscribeToCommands: async (s) => (subscribed.push(s), async () => undefined),
      close: async () => undefined,
    };
    const counter = new WorkCounter();
    const queue = countingQueue(inner, counter);
    let finish!: () => void;
    await queue.subscribeToEvents({ consumer: 'test.events', types: ['t'], handler: () => new Promise<void>((resolve) => (finish = resolve)) });
    await queue.subscribeToCommands({ consumer: 'test.commands', types: ['c'], handler: () => Promise.reject(new Error('refused')) });
    const [events, commands] = subscribed;
    const message = {} as Envelope;

    const running = events?.handler(message);
    expect({ inFlight: counter.inFlight, handled: counter.handled }).toEqual({ inFlight: 1, handled: 0 });
    finish();
    await running;
    await expect(commands?.handler(message)).rejects.toThrow('refused');
    expect({ inFlight: counter.inFlight, handled: counter.handled }).toEqual({ inFlight: 0, handled: 2 });
  });
});
