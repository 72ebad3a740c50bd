import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Application } from '../../src/app/container';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { execute } from '../../src/shared/persistence/sql';
import { prdReply } from '../contexts/product-definition/infrastructure/agent/llm/llm-test-kit';
import { Api, type TaskView } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { eventually } from '../support/eventually';
import { FakeLlmServer } from '../support/fake-llm-server';
import { DARK_MODE_REQUEST } from '../support/prd-document';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { childServiceEnv, ServiceProcess } from '../support/service-process';
import { reportFigures } from './support/figures';
import { WarningWatch } from './support/warnings';

/** Long enough that only the registry, not the lease's expiry, can explain a quick takeover. */
const LEASE_MS = 120_000;
const WORKER_HEARTBEAT_MS = 500;
const WORKER_LEASE_MS = 3_000;
const prefix = `refinery-workers-${randomBytes(4).toString('hex')}`;

const workerRow = z.object({
  id: z.string(),
  status: z.string(),
  pid: z.number(),
  in_flight: z.number(),
  handled: z.coerce.number(),
  released_contexts: z.array(z.string()),
  lease_age_at_gone_ms: z.coerce.number().nullable(),
});
const workItemRow = z.object({ status: z.string(), attempts: z.number(), lease_owner: z.string().nullable() });

/**
 * Product definition in child OS processes (src/app/main.ts with CONTEXTS=product-definition and
 * AGENT=llm against a fake model), the other contexts in this process, all on the real
 * PostgreSQL and RabbitMQ. A process SIGKILLed while it holds a work item is marked gone by the
 * registry within its worker lease, and its item is released at once: a second process finishes
 * it long before LEASE_MS would have let it. SIGTERM shows the process draining, its in-flight
 * item finishes, and the clean exit removes it from the registry.
 */
describe('the worker registry with processes killed and stopped', () => {
  let scratch: ScratchDatabase;
  let admin: BrokerAdmin;
  let llm: FakeLlmServer;
  let app: Application;
  let api: Api;
  const children: ServiceProcess[] = [];
  const warnings = WarningWatch.start();

  const spawnProductDefinition = (name: string): ServiceProcess => {
    const child = ServiceProcess.spawn(name, {
      ...childServiceEnv(scratch.url, prefix),
      CONTEXTS: 'product-definition',
      LOG_LEVEL: 'info',
      AGENT: 'llm',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'fake-model',
      LLM_MAX_RETRIES: '0',
      LLM_TIMEOUT_MS: '60000',
      LEASE_MS: String(LEASE_MS),
      POLL_INTERVAL_MS: '200',
      WORKER_HEARTBEAT_MS: String(WORKER_HEARTBEAT_MS),
      WORKER_LEASE_MS: String(WORKER_LEASE_MS),
      SHUTDOWN_TIMEOUT_MS: '30000',
    });
    children.push(child);
    return child;
  };

  const sql = async (text: string, params: unknown[] = []) => (await execute(app.database.dataSource.manager, text, params)).rows;
  const workerOf = async (pid: number) => {
    const rows = await sql(
      `SELECT id, status, pid, in_flight, handled, released_contexts,
         extract(epoch FROM gone_at - last_heartbeat_at) * 1000 AS lease_age_at_gone_ms
       FROM operations.workers WHERE pid = $1`,
      [pid],
    );
    return rows.length === 0 ? undefined : workerRow.parse(rows[0]);
  };
  const registered = async (child: ServiceProcess) => {
    await child.listening;
    const worker = await workerOf(child.pid);
    if (!worker) throw new Error(`${child.name} is listening but not registered`);
    return worker;
  };
  const workItems = async (taskId: string) =>
    (await sql(`SELECT status, attempts, lease_owner FROM product_definition.work_items WHERE task_id = $1`, [taskId])).map((r) => workItemRow.parse(r));
  const prdCount = async (taskId: string) =>
    z.object({ n: z.coerce.number() }).parse((await sql(`SELECT count(*) AS n FROM product_definition.prds WHERE task_id = $1`, [taskId]))[0]).n;
  const statusOf = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task.status;
  const submit = async () => {
    const { status, body } = await api.post<{ taskId: string }>('alice', '/api/tasks', DARK_MODE_REQUEST);
    expect(status).toBe(202);
    return body.taskId;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
    llm = await FakeLlmServer.start();
    app = await startTestApp({
      databaseUrl: scratch.url,
      env: {
        CONTEXTS: 'task-management,orchestration,human-interaction',
        DATABASE_URL: scratch.url,
        RABBITMQ_URL,
        RABBITMQ_PREFIX: prefix,
        RABBITMQ_QUEUE_TYPE: 'classic',
        WORKER_HEARTBEAT_MS: String(WORKER_HEARTBEAT_MS),
        WORKER_LEASE_MS: String(WORKER_LEASE_MS),
      },
    });
    api = new Api(app);
  }, 60_000);

  afterAll(async () => {
    warnings.stop();
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    const topology = app ? transportOf(app, RabbitMqMessageQueue).declaredTopology() : undefined;
    await app?.stop();
    if (topology) await admin.deleteTopology(topology);
    await admin?.close();
    await llm?.close();
    await scratch?.drop();
  });

  it('marks a SIGKILLed process gone within its worker lease, and another process finishes its item well before LEASE_MS', async () => {
    // The first call never answers: the first process holds its item until it dies.
    llm.script({ kind: 'hang' }, { kind: 'reply', content: prdReply() });
    const first = spawnProductDefinition('product-definition-1');
    const holder = await eventually(() => registered(first), { timeoutMs: 60_000, intervalMs: 50 });
    expect(holder.status).toBe('live');

    const taskId = await submit();
    await eventually(
      async () => {
        expect(llm.requests).toHaveLength(1);
        const [item] = await workItems(taskId);
        expect(item).toEqual({ status: 'leased', attempts: 1, lease_owner: expect.stringMatching(new RegExp(`^${holder.id}/\\d+$`)) });
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    await eventually(async () => expect((await workerOf(first.pid))?.in_flight).toBeGreaterThanOrEqual(1), { timeoutMs: 5_000, intervalMs: 20 });

    const second = spawnProductDefinition('product-definition-2');
    const taker = await eventually(() => registered(second), { timeoutMs: 60_000, intervalMs: 50 });
    expect(taker.id).not.toBe(holder.id);
    // Its lease of 120 s holds: the second process cannot take the item while the first lives.
    expect((await workItems(taskId))[0]).toMatchObject({ status: 'leased', lease_owner: expect.stringContaining(holder.id) });

    const killedAt = performance.now();
    const killed = first.stop('SIGKILL');
    const gone = await eventually(
      async () => {
        const worker = await workerOf(first.pid);
        expect(worker?.status).toBe('gone');
        return { worker, ms: performance.now() - killedAt };
      },
      { timeoutMs: WORKER_LEASE_MS * 4, intervalMs: 10 },
    );
    expect(await killed).toBe('SIGKILL');
    const finished = await eventually(
      async () => {
        expect(await statusOf(taskId)).toBe('PRD_VALIDATION');
        return performance.now() - killedAt;
      },
      { timeoutMs: LEASE_MS / 4, intervalMs: 20 },
    );

    // Gone no sooner than its lease after its last heartbeat (the database clock), and, from the
    // kill, within the lease plus at most one sweep (the heartbeat interval, the registry's bound).
    expect(gone.worker?.lease_age_at_gone_ms).toBeGreaterThanOrEqual(WORKER_LEASE_MS);
    expect(gone.ms).toBeLessThanOrEqual(WORKER_LEASE_MS + WORKER_HEARTBEAT_MS);
    expect(finished).toBeLessThan(LEASE_MS / 4);
    expect(await workItems(taskId)).toEqual([{ status: 'done', attempts: 2, lease_owner: expect.stringMatching(new RegExp(`^${taker.id}/\\d+$`)) }]);
    const prds = await prdCount(taskId);
    expect(prds).toBe(1);
    expect(llm.requests).toHaveLength(2);
    expect((await workerOf(first.pid))?.released_contexts).toEqual(['product-definition']);
    await eventually(async () => expect((await workerOf(second.pid))?.handled).toBeGreaterThanOrEqual(1), { timeoutMs: 5_000, intervalMs: 20 });
    await eventually(async () => {
      const text = (await app.http.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toContain('# TYPE refinery_workers gauge');
      expect(text).toMatch(/refinery_workers\{context="product-definition",status="gone"\} 1/);
      expect(text).toMatch(/refinery_workers\{context="product-definition",status="live"\} 1/);
    });
    reportFigures('worker-registry', {
      sent: 1,
      handled: 1,
      redelivered: 1,
      deadLettered: 0,
      lost: 0,
      duplicatedEffects: prds - 1,
      extra: {
        'kill-to-gone-ms': Math.round(gone.ms),
        'heartbeat-age-at-gone-ms': Math.round(gone.worker?.lease_age_at_gone_ms ?? -1),
        'kill-to-item-finished-ms': Math.round(finished),
        'worker-lease-ms': WORKER_LEASE_MS,
        'lease-ms': LEASE_MS,
      },
    });
  }, 180_000);

  it('shows a SIGTERMed process draining while its item finishes, then removes it on the clean exit', async () => {
    const [child] = children.filter((c) => c.isRunning());
    if (!child) throw new Error('the second product-definition process is not running');
    const before = llm.requests.length;
    // A slow answer: the process is still working on it when SIGTERM arrives.
    llm.script({ kind: 'reply', content: prdReply(), delayMs: 3_000 });
    const taskId = await submit();
    await eventually(() => expect(llm.requests).toHaveLength(before + 1), { timeoutMs: 30_000, intervalMs: 20 });

    const exited = child.stop('SIGTERM');
    const draining = await eventually(
      async () => {
        const worker = await workerOf(child.pid);
        expect(worker).toMatchObject({ status: 'draining' });
        return worker;
      },
      { timeoutMs: 2_500, intervalMs: 10 },
    );
    expect(draining?.in_flight).toBeGreaterThanOrEqual(1);
    expect(await exited).toBe(0);
    expect(await workerOf(child.pid)).toBeUndefined();
    // Draining let the item finish: the PRD is there, nothing left leased.
    expect(await workItems(taskId)).toEqual([expect.objectContaining({ status: 'done', attempts: 1 })]);
    await eventually(async () => expect(await statusOf(taskId)).toBe('PRD_VALIDATION'), { timeoutMs: 15_000, intervalMs: 20 });
  }, 120_000);

  it('printed no MaxListenersExceededWarning, here or in any child process, through the kills and stops above', () => {
    expect(warnings.maxListenerWarnings(...children.map((child) => child.tail(Number.MAX_SAFE_INTEGER)))).toEqual([]);
  });
});
