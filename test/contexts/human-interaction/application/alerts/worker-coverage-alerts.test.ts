import type { Application } from '../../../../../src/app/container';
import { Api } from '../../../../support/api';
import { startTestApp } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';

/** A notification as GET /api/notifications shows it, with what a worker alert carries. */
interface WorkerAlertView {
  readonly id: string;
  readonly kind: string;
  readonly taskId: string | null;
  readonly taskVersion: number | null;
  readonly subject: string;
  readonly links: Record<string, string>;
  readonly actions: Record<string, string>;
}

/**
 * "No live worker runs a context" on the whole service (in-memory queue, in-memory PGlite). The
 * service's own process is in the worker registry with all four contexts; the test takes
 * product definition out of its row and adds instances of it as other processes would (the
 * registry's table is the shared truth), and the alert recipient (`root`, the one admin) reads the
 * in-app inbox. NO_WORKER_ALERT_AFTER_MS is 1 s, so the coverage check runs every 250 ms.
 */
describe('alerts when no live worker runs a context', () => {
  let app: Application;
  let api: Api;

  beforeAll(async () => {
    app = await startTestApp({ env: { NO_WORKER_ALERT_AFTER_MS: '1000' } });
    api = new Api(app);
  }, 60_000);
  afterAll(() => app.stop());

  const sql = (text: string, values: unknown[] = []): Promise<unknown[]> => app.database.dataSource.query(text, values);
  const workerAlerts = async (kind: 'alert-no-worker' | 'alert-worker-back'): Promise<WorkerAlertView[]> => {
    const { body } = await api.get<{ notifications: WorkerAlertView[] }>('root', '/api/notifications');
    return body.notifications.filter((n) => n.kind === kind);
  };
  const episodes = async () =>
    (await sql(`SELECT subject, facts, resolved_at, resolution FROM human_interaction.alerts WHERE kind = 'no-live-worker' ORDER BY raised_at`)) as Array<{
      subject: string;
      facts: Record<string, unknown>;
      resolved_at: Date | null;
      resolution: Record<string, unknown> | null;
    }>;
  const addInstance = (id: string, status: 'live' | 'gone', heartbeatAgoMs: number) =>
    sql(
      `INSERT INTO operations.workers (id, contexts, host, pid, version, started_at, last_heartbeat_at, lease_ms, status, gone_at)
       VALUES ($1, '{product-definition}', 'agent-host', $2, 'test', now() - make_interval(secs => $3::float8 / 1000 + 60), now() - make_interval(secs => $3::float8 / 1000), 15000, $4,
               CASE WHEN $4 = 'gone' THEN now() ELSE NULL END)`,
      [id, id === 'agent-a' ? 4001 : 4002, heartbeatAgoMs, status],
    );

  it('raises one alert per episode (told to the admin, naming no task), says when a worker is back, and tells a second gap apart', async () => {
    // Every context is run by this process: nothing to say.
    expect(await episodes()).toEqual([]);

    // Product definition's process exits cleanly (its row is gone): the threshold counts from when the check noticed.
    await sql(`UPDATE operations.workers SET contexts = '{human-interaction,task-management,orchestration}'`);
    const [raised] = await eventually(async () => {
      const found = await workerAlerts('alert-no-worker');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(raised).toMatchObject({ taskId: null, taskVersion: null, links: { workers: '/api/admin/workers' }, actions: {} });
    expect(raised?.subject).toMatch(/^No live worker: product-definition has had none for \d/);
    expect((await episodes())[0]?.facts).toMatchObject({ kind: 'no-live-worker', context: 'product-definition', lastInstance: null, lastSeenAt: null });

    // An instance starts: told once that it is back; the episode is resolved naming it.
    await addInstance('agent-a', 'live', 0);
    const [back] = await eventually(async () => {
      const found = await workerAlerts('alert-worker-back');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(back?.subject).toBe('Worker back: agent-host/4001 runs product-definition again');
    // However many checks ran meanwhile, the gap was told once.
    expect(await workerAlerts('alert-no-worker')).toHaveLength(1);
    expect((await episodes())[0]).toMatchObject({ resolution: { instance: 'agent-host/4001' } });

    // It is killed: its row stays, gone, its last heartbeat 2 minutes ago. A second episode, naming it.
    await sql(`DELETE FROM operations.workers WHERE id = 'agent-a'`);
    await addInstance('agent-b', 'gone', 120_000);
    await eventually(async () => expect(await workerAlerts('alert-no-worker')).toHaveLength(2));
    const second = (await episodes())[1];
    expect(second).toMatchObject({ resolved_at: null, facts: { context: 'product-definition', lastInstance: 'agent-host/4002' } });
    expect(Number(second?.facts['noneForMs'])).toBeGreaterThanOrEqual(120_000);
    expect((await workerAlerts('alert-no-worker'))[0]?.subject).toMatch(/^No live worker: product-definition has had none for 2 min/);
  });
});
