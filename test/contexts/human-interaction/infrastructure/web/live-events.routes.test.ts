import type { Application } from '../../../../../src/app/container';
import { Api, type TaskView } from '../../../../support/api';
import { startTestApp } from '../../../../support/app';
import { COMPLETE_ANSWER, notificationFor } from '../../../../support/refinement-scenario';
import { EventStreamReader } from './support/event-stream';
import { BrowserLike } from './support/browser-like';

interface LiveState {
  stamp: string;
  status: string;
  version: number;
}

/**
 * An open task page follows the workflow: its event stream announces every change of the task,
 * and stopping the service ends open streams rather than hanging on them. (The periodic re-check
 * for changes made by another process: live-task-events.test.ts.)
 */
describe('live task pages (server-sent events)', () => {
  let app: Application;
  let api: Api;
  let baseUrl: string;
  let alice: BrowserLike;
  let stopped = false;
  beforeAll(async () => {
    app = await startTestApp({ env: { PORT: '0' } });
    api = new Api(app);
    baseUrl = await app.listen();
    alice = new BrowserLike(baseUrl);
    await alice.signIn('alice');
  });
  afterAll(async () => {
    if (!stopped) await app.stop();
  });

  const openStream = (taskId: string, cookie: string | null = alice.sessionCookie ?? null) =>
    fetch(`${baseUrl}/inbox/tasks/${taskId}/events`, { headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } });
  const stateOf = (data: string) => JSON.parse(data) as LiveState;
  const task = async (taskId: string) => (await api.get<TaskView>('alice', `/api/tasks/${taskId}`)).body;
  const submitVague = async () => {
    const { taskId } = (await api.post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' }))
      .body;
    await notificationFor(api, 'alice', taskId, 'clarification-requested');
    return taskId;
  };

  it('refuses a stream to someone not signed in (401) or who may not see the task (403)', async () => {
    const taskId = await submitVague();
    expect((await openStream(taskId, null)).status).toBe(401);
    const carol = new BrowserLike(baseUrl);
    await carol.signIn('carol');
    const refused = await openStream(taskId, carol.sessionCookie ?? null);
    expect(refused.status).toBe(403);
  });

  it('sends the state at once, then an event as soon as the task changes', async () => {
    const taskId = await submitVague();
    const response = await openStream(taskId);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = new EventStreamReader(response);
    const first = await events.until((e) => e.event === 'task');
    expect(stateOf(first.data).status).toBe('CLARIFICATION_NEEDED');

    const { clarifications } = await task(taskId);
    await api.post('alice', `/api/tasks/${taskId}/answers`, { answers: clarifications.map((c) => ({ question: c.question, answer: COMPLETE_ANSWER })) });
    const moved = await events.until((e) => e.event === 'task' && stateOf(e.data).status === 'PRD_VALIDATION', 10_000);
    expect(stateOf(moved.data).stamp).not.toBe(stateOf(first.data).stamp);

    // What the page's script fetches then: the live section in its new state.
    const section = await alice.get(`/inbox/tasks/${taskId}/live`);
    expect(section.status).toBe(200);
    expect(section.body.startsWith(`<section id="live" data-task="${taskId}" data-stamp="${stateOf(moved.data).stamp}"`)).toBe(true);
    await events.cancel();
  });

  it('ends open streams when the service stops, without hanging', async () => {
    const taskId = await submitVague();
    const events = new EventStreamReader(await openStream(taskId));
    await events.until((e) => e.event === 'task');
    const stopping = app.stop();
    stopped = true;
    await expect(events.ended(10_000)).resolves.toBe(true);
    await stopping;
  });
});
