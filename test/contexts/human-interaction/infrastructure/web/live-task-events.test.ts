import Fastify, { type FastifyInstance } from 'fastify';
import { TaskViewChanges } from '../../../../../src/contexts/human-interaction/application/task-view-changes';
import { type LiveState, LiveTaskEvents } from '../../../../../src/contexts/human-interaction/infrastructure/web/live-task-events';
import { silentLogger } from '../../../../../src/shared/logging/logger';
import { EventStreamReader } from './support/event-stream';

/** The event stream on its own: what wakes it, what it sends, and how it ends. */
describe('LiveTaskEvents', () => {
  let http: FastifyInstance;
  let url: string;
  let state: LiveState | undefined;
  let reads: number;
  const changes = new TaskViewChanges();
  let live: LiveTaskEvents;

  const serve = async (recheckMs: number) => {
    live = new LiveTaskEvents(changes, silentLogger(), { recheckMs, heartbeatMs: 60_000 });
    http = Fastify();
    http.get('/events', async (_request, reply) => {
      live.stream(reply, 'task-1', { 'x-test': 'yes' }, async () => {
        reads++;
        return state;
      });
      return reply;
    });
    http.addHook('preClose', async () => live.closeAll());
    url = `${await http.listen({ host: '127.0.0.1', port: 0 })}/events`;
  };
  beforeEach(() => {
    state = { stamp: 'v1', status: 'NEW', version: 1 };
    reads = 0;
  });
  afterEach(() => http.close());

  it('sends the state on connect, and again only when it changed, woken by the in-process signal', async () => {
    await serve(600_000); // no re-check during the test: only the signal can wake it
    const response = await fetch(url);
    expect(response.headers.get('x-test')).toBe('yes');
    const events = new EventStreamReader(response);
    expect(await events.next()).toEqual({ event: 'task', data: JSON.stringify(state) });
    const readsBefore = reads;
    changes.changed('task-1'); // nothing changed: read, but nothing sent
    changes.changed('another-task'); // not this stream's task: not even read
    state = { stamp: 'v2', status: 'REQUEST_VALIDATION', version: 2 };
    changes.changed('task-1');
    expect(await events.next()).toEqual({ event: 'task', data: JSON.stringify(state) });
    expect(reads - readsBefore).toBeGreaterThanOrEqual(1);
    expect(reads - readsBefore).toBeLessThanOrEqual(2);
    await events.cancel();
  });

  it('finds a change nobody signalled (another process made it) at the periodic re-check', async () => {
    await serve(50);
    const events = new EventStreamReader(await fetch(url));
    await events.next();
    state = { stamp: 'v2', status: 'REQUEST_VALIDATION', version: 2 };
    expect(await events.next(5_000)).toEqual({ event: 'task', data: JSON.stringify(state) });
    await events.cancel();
  });

  it('ends the stream when the viewer may no longer see the task, and forgets closed streams', async () => {
    await serve(50);
    const events = new EventStreamReader(await fetch(url));
    await events.next();
    expect(live.openStreams).toBe(1);
    state = undefined;
    await expect(events.ended(5_000)).resolves.toBe(true);
    expect(live.openStreams).toBe(0);
  });

  it('ends every open stream when the server closes, so closing does not hang', async () => {
    await serve(600_000);
    const streams = [new EventStreamReader(await fetch(url)), new EventStreamReader(await fetch(url))];
    for (const s of streams) await s.next();
    expect(live.openStreams).toBe(2);
    await http.close();
    for (const s of streams) await expect(s.ended(5_000)).resolves.toBe(true);
    expect(live.openStreams).toBe(0);
  });

  it('re-checks a task once however many watch it: one read per signal, sent to every stream', async () => {
    await serve(600_000); // only the signal wakes the re-check
    const streams = await Promise.all(Array.from({ length: 5 }, async () => new EventStreamReader(await fetch(url))));
    for (const s of streams) await s.next(); // each stream's own first read
    expect(live.watchedTasks).toBe(1);
    const readsBefore = reads;
    state = { stamp: 'v2', status: 'REQUEST_VALIDATION', version: 2 };
    changes.changed('task-1');
    for (const s of streams) expect(await s.next()).toEqual({ event: 'task', data: JSON.stringify(state) });
    expect(reads - readsBefore).toBe(1);
    for (const s of streams) await s.cancel();
  });
});
