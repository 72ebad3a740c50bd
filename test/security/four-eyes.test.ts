import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from '../../src/app/container';
import { Api, type TaskView } from '../support/api';
import { type ConfiguredUser } from '../../src/app/config';
import { startTestApp, TEST_USERS, TWO_ROLE_USER } from '../support/app';
import { eventually } from '../support/eventually';
import { COMPLETE_ANSWER, notificationFor } from '../support/refinement-scenario';
import { BrowserLike, pathOf } from '../contexts/human-interaction/infrastructure/web/support/browser-like';

/** Dana requests and approves; she is the first approver configured, Bob the second. */
const USERS: readonly ConfiguredUser[] = [TWO_ROLE_USER, ...TEST_USERS];

interface Links {
  approve?: string;
  reject?: string;
}

const submit = async (api: Api, body: Record<string, unknown> = {}) =>
  api.post<{ taskId: string; issues?: Array<{ field: string; message: string }>; error?: string }>('dana', '/api/tasks', {
    title: 'Backlog trends',
    description: COMPLETE_ANSWER,
    ...body,
  });

const task = async (api: Api, taskId: string) => (await api.get<TaskView & { task: { approverId: string } }>('dana', `/api/tasks/${taskId}`)).body;

/** Waits until the task awaits a decision on PRD version 1; the links of Dana's review notification. */
async function awaitingDana(api: Api, taskId: string): Promise<Links> {
  const review = await notificationFor(api, 'dana', taskId, 'prd-ready-for-review');
  await eventually(async () => expect((await task(api, taskId)).prd?.version).toBe(1));
  const { body } = await api.get<{ notifications: Array<{ id: string; actions: Links }> }>('dana', '/api/notifications');
  return body.notifications.find((n) => n.id === review.id)?.actions ?? {};
}

/**
 * Four-eyes (APPROVAL_FOUR_EYES, on by default): someone holding both roles never decides on their
 * own request, by the API, the task page's forms or a link, and is never picked as its approver.
 * The tasks whose approver is their requester are made with the setting off; the service is then
 * started again with it on, on the same database, as an operator turning it on would.
 */
describe('four-eyes approval', () => {
  let dataDir: string;
  let app: Application | undefined;
  // Made with four-eyes off: Dana requested them and is their approver.
  let ownTasks: { api: string; link: string; links: Links };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'refinery-four-eyes-'));
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('with APPROVAL_FOUR_EYES=false, lets the requester be picked as approver and approve their own request', async () => {
    app = await startTestApp({ users: USERS, pgliteDataDir: dataDir, env: { APPROVAL_FOUR_EYES: 'false' } });
    const api = new Api(app);
    const fallback = await submit(api);
    expect(fallback.status).toBe(202);
    expect((await task(api, fallback.body.taskId)).task.approverId).toBe('dana');
    const named = await submit(api, { approverId: 'dana' });
    expect(named.status).toBe(202);
    const viaLink = await submit(api, { approverId: 'dana' });

    await awaitingDana(api, fallback.body.taskId);
    expect((await api.post('dana', `/api/tasks/${fallback.body.taskId}/approve`, { prdVersion: 1 })).status).toBe(202);
    await eventually(async () => expect((await task(api, fallback.body.taskId)).task.status).toBe('APPROVED'));

    ownTasks = { api: named.body.taskId, link: viaLink.body.taskId, links: await awaitingDana(api, viaLink.body.taskId) };
    await awaitingDana(api, named.body.taskId);
    await app.stop();
    app = undefined;
  });

  describe('on (the default)', () => {
    let api: Api;
    let web: BrowserLike;

    beforeAll(async () => {
      app = await startTestApp({ users: USERS, pgliteDataDir: dataDir, env: { PORT: '0' } });
      api = new Api(app);
      web = new BrowserLike(await app.listen());
    });

    it('refuses the requester approving or rejecting their own request through the API: 403 saying why', async () => {
      for (const [decision, body] of [
        ['approve', { prdVersion: 1 }],
        ['reject', { prdVersion: 1, feedback: 'Needs a CSV export.' }],
      ] as const) {
        const response = await api.post<{ error: string; message: string }>('dana', `/api/tasks/${ownTasks.api}/${decision}`, body);
        expect(response.status).toBe(403);
        expect(response.body.message).toContain('may not approve or reject their own request (four-eyes');
      }
      expect((await task(api, ownTasks.api)).task.status).toBe('PRD_VALIDATION');
    });

    it('shows no decision forms on the task page, saying why, and refuses the forms the same way', async () => {
      await web.signIn('dana');
      const page = await web.get(`/inbox/tasks/${ownTasks.api}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('you may not approve or reject it yourself (four-eyes)');
      expect(page.body).not.toContain(`action="/inbox/tasks/${ownTasks.api}/approve"`);
      expect(page.body).not.toContain(`action="/inbox/tasks/${ownTasks.api}/reject"`);
      const approve = await web.post(`/inbox/tasks/${ownTasks.api}/approve`, { prdVersion: '1' });
      expect(approve.status).toBe(403);
      expect(approve.body).toContain('may not approve or reject their own request');
      expect((await task(api, ownTasks.api)).task.status).toBe('PRD_VALIDATION');
    });

    it('refuses the requester’s own approve and reject links on opening and on use: 403', async () => {
      for (const link of [ownTasks.links.approve, ownTasks.links.reject]) {
        // Listed while that service did not listen: a path then, an absolute URL otherwise.
        const path = link?.startsWith('/') ? link : pathOf(link ?? '');
        const opened = await web.get(path);
        expect(opened.status).toBe(403);
        expect(opened.body).toContain('may not approve or reject their own request');
        expect(opened.body).not.toContain('method="post"');
        const used = await web.post(path, { feedback: 'Needs a CSV export.' });
        expect(used.status).toBe(403);
      }
      expect((await task(api, ownTasks.link)).task.status).toBe('PRD_VALIDATION');
    });

    it('picks the next approver, not the requester, when none is named; naming oneself is refused with 400', async () => {
      const submitted = await submit(api);
      expect(submitted.status).toBe(202);
      expect((await task(api, submitted.body.taskId)).task.approverId).toBe('bob');

      const self = await submit(api, { approverId: 'dana' });
      expect(self.status).toBe(400);
      expect(self.body.issues).toEqual([{ field: 'approverId', message: expect.stringContaining('may not approve your own request (four-eyes)') }]);
    });
  });

  it('refuses a submission when the requester is the only approver configured: 400 naming approverId', async () => {
    await app?.stop();
    app = await startTestApp({ users: [TWO_ROLE_USER, ...TEST_USERS.filter((u) => u.id !== 'bob')] });
    const response = await submit(new Api(app));
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { field: 'approverId', message: 'no approver other than you is configured, and you may not approve your own request (four-eyes)' },
    ]);
  });
});
