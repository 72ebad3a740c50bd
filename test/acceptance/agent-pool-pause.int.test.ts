import { randomBytes } from 'node:crypto';
import type { Application } from '../../src/app/container';
import { BackgroundLoop } from '../../src/shared/kernel/background-loop';
import { RabbitMqMessageQueue } from '../../src/shared/messaging/rabbitmq/rabbitmq-message-queue';
import { Api, type TaskView } from '../support/api';
import { startTestApp, transportOf } from '../support/app';
import { BrokerAdmin, RABBITMQ_URL } from '../support/broker-admin';
import { eventually } from '../support/eventually';
import { COMPLETE_ANSWER } from '../support/refinement-scenario';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';

/**
 * One process with task management, orchestration and human interaction, and two processes that
 * run only product definition, on the real PostgreSQL and RabbitMQ. The pause command reaches one
 * of the two; both stop claiming, since each claim reads the switch from the database.
 */
describe('pausing the agent pool across product-definition processes', () => {
  let scratch: ScratchDatabase;
  let admin: BrokerAdmin;
  let front: Application;
  const pools: Application[] = [];
  let api: Api;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    admin = await BrokerAdmin.open();
    const prefix = `refinery-pool-${randomBytes(4).toString('hex')}`;
    const env = (contexts: string) => ({
      CONTEXTS: contexts,
      DATABASE_URL: scratch.url,
      RABBITMQ_URL,
      RABBITMQ_PREFIX: prefix,
      RABBITMQ_QUEUE_TYPE: 'classic',
      POLL_INTERVAL_MS: '50',
    });
    front = await startTestApp({ databaseUrl: scratch.url, env: env('task-management,orchestration,human-interaction') });
    for (let i = 0; i < 2; i++) pools.push(await startTestApp({ databaseUrl: scratch.url, env: env('product-definition') }));
    api = new Api(front);
  }, 120_000);
  afterAll(async () => {
    const topologies = [front, ...pools].filter(Boolean).map((app) => transportOf(app, RabbitMqMessageQueue).declaredTopology());
    for (const app of [...pools, front]) await app?.stop();
    for (const topology of topologies) await admin.deleteTopology(topology);
    await admin?.close();
    await scratch?.drop();
  });

  const ready = async (app: Application) => (await app.http.inject({ method: 'GET', url: '/ready' })).json<Record<string, string>>();
  const loopOf = (app: Application): BackgroundLoop<unknown> => {
    const loop = app.loops.find((l) => l.name === 'product-manager pool');
    if (!(loop instanceof BackgroundLoop)) throw new Error('no product-manager pool here');
    return loop;
  };
  const workItems = (taskId: string) =>
    front.database.dataSource.query<Array<{ status: string; attempts: number }>>(
      `SELECT status, attempts FROM product_definition.work_items WHERE task_id = $1`,
      [taskId],
    );
  const handled = async () =>
    Number(
      (
        await front.database.dataSource.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM messaging.inbox WHERE consumer = 'product-definition.commands'`)
      )[0]?.n,
    );
  const status = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task.status;

  it('stops both pools with one command, leaves a new request pending through their polls, and resumes both', async () => {
    const asked = await api.post('root', '/api/admin/agent-pool', { paused: true, reason: 'model swap' });
    expect(asked.status).toBe(202);
    // Each process reads the switch: both /ready say paused, whichever handled the command.
    await eventually(
      async () => {
        for (const app of pools) expect(await ready(app)).toMatchObject({ status: 'ready', agentPool: 'paused', agentPoolPausedBy: 'root' });
      },
      { timeoutMs: 15_000 },
    );
    expect(await handled()).toBe(1);

    const taskId = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Paused across processes', description: COMPLETE_ANSWER })).body.taskId;
    await eventually(async () => expect(await workItems(taskId)).toHaveLength(1), { timeoutMs: 15_000 });
    const before = pools.map((app) => loopOf(app).passes);
    for (const app of pools) loopOf(app).kick();
    await eventually(() => pools.forEach((app, i) => expect(loopOf(app).passes).toBeGreaterThanOrEqual((before[i] ?? 0) + 2)), { timeoutMs: 15_000 });
    expect(await workItems(taskId)).toEqual([{ status: 'pending', attempts: 0 }]);
    expect(await status(taskId)).toBe('REQUEST_VALIDATION');

    expect((await api.post('root', '/api/admin/agent-pool', { paused: false })).status).toBe(202);
    await eventually(async () => expect(await status(taskId)).toBe('PRD_VALIDATION'), { timeoutMs: 30_000 });
    expect(await workItems(taskId)).toEqual([{ status: 'done', attempts: 1 }]);
    for (const app of pools) expect(await ready(app)).toMatchObject({ agentPool: 'running' });
    await eventually(async () => expect((await api.get('root', '/api/admin/agent-pool')).body).toMatchObject({ paused: false, changedBy: 'root' }));
    const actions = (await api.get<{ actions: Array<{ action: string }> }>('root', '/api/admin/audit')).body.actions.map((a) => a.action);
    expect(actions).toEqual(['agent-pool.resume', 'agent-pool.pause']);
  });
});
