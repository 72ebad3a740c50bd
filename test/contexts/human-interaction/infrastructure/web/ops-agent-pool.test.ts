import type { Application } from '../../../../../src/app/container';
import { PostgresWorkItemRepository } from '../../../../../src/contexts/product-definition/infrastructure/persistence/postgres-work-item.repository';
import { BackgroundLoop } from '../../../../../src/shared/kernel/background-loop';
import { Api, type TaskView } from '../../../../support/api';
import { startTestApp } from '../../../../support/app';
import { eventually } from '../../../../support/eventually';
import { COMPLETE_ANSWER } from '../../../../support/refinement-scenario';
import { BrowserLike, postFormActions } from './support/browser-like';

const attributes = (body: string, name: string): string[] => [...body.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1] ?? '');
const section = (body: string, id: string): string => {
  const start = body.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no element with id ${id}`);
  const end = body.indexOf('</section>', start);
  return body.slice(start, end < 0 ? undefined : end);
};
const auditRows = (body: string, action: string): string[] =>
  [...body.matchAll(new RegExp(`<tr data-action="${action}" data-outcome="ok">.*?</tr>`, 'g'))].map((m) => m[0]);

/** Pausing and resuming the agent pool from the /ops console, as an admin's browser does it. */
describe('the /ops console: pause and resume the agent pool', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
  }, 90_000);
  afterAll(() => app?.stop());

  const ready = async () => (await app.http.inject({ method: 'GET', url: '/ready' })).json<Record<string, string>>();
  const workItem = (taskId: string) =>
    app.database.dataSource.query<Array<{ status: string; attempts: number }>>(
      `SELECT status, attempts FROM product_definition.work_items WHERE task_id = $1`,
      [taskId],
    );
  const prdCount = async (taskId: string) => {
    const [row] = await app.database.dataSource.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM product_definition.prds WHERE task_id = $1`, [taskId]);
    return Number(row?.n);
  };
  const pool = (): BackgroundLoop<unknown> => {
    const loop = app.loops.find((l) => l.name === 'product-manager pool');
    if (!(loop instanceof BackgroundLoop)) throw new Error('no product-manager pool loop in this process');
    return loop;
  };

  it('is refused to a requester, page and form and API alike', async () => {
    const alice = new BrowserLike(baseUrl);
    await alice.signIn('alice');
    expect((await alice.get('/inbox/ops/agent-pool/confirm?op=pause')).status).toBe(403);
    expect((await alice.post('/inbox/ops/agent-pool/pause', { reason: 'nope' })).status).toBe(403);
    expect((await api.post('alice', '/api/admin/agent-pool', { paused: true })).status).toBe(403);
    expect((await api.get('alice', '/api/admin/agent-pool')).status).toBe(403);
    expect(await ready()).toMatchObject({ agentPool: 'running' });
  });

  it('pauses after a confirmation with the waiting count: a new request waits unclaimed, resuming takes it to PRD_VALIDATION; both in the audit log', async () => {
    const web = new BrowserLike(baseUrl);
    await web.signIn('root');
    const overview = await web.get('/inbox/ops');
    expect(attributes(section(overview.body, 'agent-pool'), 'data-agent-pool')).toEqual(['running']);
    const waitingBefore = Number(/data-status="REQUEST_VALIDATION"><td>.*?<td class="count">(\d+)<\/td>/.exec(overview.body)?.[1]);

    const confirm = await web.get('/inbox/ops/agent-pool/confirm?op=pause');
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('Pause the agent pool?');
    expect(attributes(confirm.body, 'data-count')).toEqual([String(waitingBefore)]);
    expect(confirm.body).toContain(`Tasks waiting for the agent: ${waitingBefore} stay pending`);
    expect(postFormActions(confirm.body)).toContain('/inbox/ops/agent-pool/pause');
    // Same-origin forms only: a cross-site post changes nothing.
    expect((await web.post('/inbox/ops/agent-pool/pause', {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);

    const asked = await web.post('/inbox/ops/agent-pool/pause', { reason: 'provider <maintenance>' });
    expect(asked.status).toBe(200);
    expect(attributes(asked.body, 'data-asked')).toEqual(['pause']);

    // Every process reads the switch from the database; /ready says so once it is set.
    const paused = await eventually(async () => {
      const body = await ready();
      if (body.agentPool !== 'paused') throw new Error(`agent pool ${body.agentPool}`);
      return body;
    });
    expect(paused).toMatchObject({ status: 'ready', agentPool: 'paused', agentPoolPausedBy: 'root' });
    expect(paused.agentPoolReason).toContain('paused by an operator (root)');
    expect(paused.agentPoolReason).toContain('provider <maintenance>');
    // The console's view follows the event.
    const pausedCard = await eventually(async () => {
      const card = section((await web.get('/inbox/ops')).body, 'agent-pool');
      if (!card.includes('data-agent-pool="paused"')) throw new Error('not shown paused yet');
      return card;
    });
    expect(pausedCard).toContain('Agent pool: paused by root at <time');
    expect(pausedCard).toContain('(provider &lt;maintenance&gt;)');

    const taskId = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Export invoices while paused', description: COMPLETE_ANSWER })).body
      .taskId;
    await eventually(async () => expect(await workItem(taskId)).toHaveLength(1), { timeoutMs: 10_000 });
    // The pool was kicked when the item was created; two more passes of its loop after that.
    const passes = pool().passes;
    pool().kick();
    await eventually(() => expect(pool().passes).toBeGreaterThanOrEqual(passes + 2), { timeoutMs: 10_000 });
    // The claim itself finds nothing while paused.
    expect(await new PostgresWorkItemRepository(app.database.dataSource.manager).claimNext('test/1', new Date(), 5_000)).toBeUndefined();
    expect(await workItem(taskId)).toEqual([{ status: 'pending', attempts: 0 }]);
    expect((await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task).toMatchObject({ status: 'REQUEST_VALIDATION', prdVersion: null });
    expect(await prdCount(taskId)).toBe(0);

    // A second pause (a double click) shows the waiting task and changes nothing.
    const again = await web.get('/inbox/ops/agent-pool/confirm?op=pause');
    expect(again.body).toContain(`Tasks waiting for the agent: ${waitingBefore + 1} stay pending`);
    expect(again.body).toContain('id="already"');
    const pausedAt = paused.agentPoolPausedAt;
    expect((await web.post('/inbox/ops/agent-pool/pause', { reason: 'again' })).status).toBe(200);
    const auditAfterSecond = await eventually(async () => {
      const rows = auditRows((await web.get('/inbox/ops/audit')).body, 'agent-pool.pause');
      if (rows.length < 2) throw new Error('second pause not audited yet');
      return rows;
    });
    expect(auditAfterSecond[0]).toContain('paused already');
    expect(await ready()).toMatchObject({ agentPool: 'paused', agentPoolPausedAt: pausedAt });

    const resume = await web.get('/inbox/ops/agent-pool/confirm?op=resume');
    expect(resume.body).toContain('Resume the agent pool?');
    expect(attributes(resume.body, 'data-count')).toEqual([String(waitingBefore + 1)]);
    expect(postFormActions(resume.body)).toContain('/inbox/ops/agent-pool/resume');
    expect(attributes((await web.post('/inbox/ops/agent-pool/resume')).body, 'data-asked')).toEqual(['resume']);

    await eventually(async () => expect((await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body.task.status).toBe('PRD_VALIDATION'), {
      timeoutMs: 15_000,
    });
    expect(await workItem(taskId)).toEqual([{ status: 'done', attempts: 1 }]);
    expect(await ready()).toMatchObject({ agentPool: 'running' });
    await eventually(async () => expect(section((await web.get('/inbox/ops')).body, 'agent-pool')).toContain('running (resumed by root at'));

    const audit = (await web.get('/inbox/ops/audit')).body;
    const pauses = auditRows(audit, 'agent-pool.pause');
    const resumes = auditRows(audit, 'agent-pool.resume');
    expect(pauses).toHaveLength(2);
    expect(resumes).toHaveLength(1);
    expect(pauses[1]).toContain('root');
    expect(pauses[1]).toContain(`asked to pause (provider &lt;maintenance&gt;); ${waitingBefore} task`);
    expect(resumes[0]).toContain(`asked to resume; ${waitingBefore + 1} task`);
  });
});
