import type { Application } from '../../src/app/container';
import { BrowserLike } from '../contexts/human-interaction/infrastructure/web/support/browser-like';
import { Api } from '../support/api';
import { startTestApp } from '../support/app';
import { eventually } from '../support/eventually';

/** Live task page streams are capped per sign-in, per person and in all: 429 beyond. */
describe('live update streams are capped', () => {
  let app: Application;
  let baseUrl: string;
  let taskId: string;
  const open: Response[] = [];

  beforeAll(async () => {
    app = await startTestApp({ env: { LIVE_STREAMS_PER_SESSION: '5', LIVE_STREAMS_PER_PERSON: '7', LIVE_STREAMS_TOTAL: '9' } });
    baseUrl = await app.http.listen({ host: '127.0.0.1', port: 0 });
    taskId = (await new Api(app).post<{ taskId: string }>('alice', '/api/tasks', { title: 'Better dashboard', description: 'Make the dashboard better.' })).body
      .taskId;
  });
  afterEach(async () => {
    for (const response of open.splice(0)) await response.body?.cancel();
  });
  afterAll(async () => app.stop());

  const streamAs = async (web: BrowserLike): Promise<Response> => {
    const response = await fetch(`${baseUrl}/inbox/tasks/${taskId}/events`, { headers: { accept: 'text/event-stream', cookie: web.sessionCookie ?? '' } });
    if (response.status === 200) open.push(response);
    return response;
  };
  const signedIn = async (userId: string) => {
    const web = new BrowserLike(baseUrl);
    await web.signIn(userId);
    return web;
  };

  it('answers the 6th stream of one sign-in 429, then caps the person and the server, and frees a place when a stream closes', async () => {
    const laptop = await signedIn('alice');
    for (let i = 0; i < 5; i++) expect((await streamAs(laptop)).status).toBe(200);
    const sixth = await streamAs(laptop);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await sixth.text()).toContain('too many open live pages (for this sign-in)');

    // Another sign-in of the same person may open more, up to the person's 7.
    const phone = await signedIn('alice');
    for (let i = 0; i < 2; i++) expect((await streamAs(phone)).status).toBe(200);
    const eighth = await streamAs(phone);
    expect([eighth.status, await eighth.text()]).toEqual([429, expect.stringContaining('(for you)')]);

    // Someone else, up to the server's 9.
    const root = await signedIn('root');
    const roots = [await streamAs(root), await streamAs(root)];
    expect(roots.map((r) => r.status)).toEqual([200, 200]);
    const tenth = await streamAs(root);
    expect([tenth.status, await tenth.text()]).toEqual([429, expect.stringContaining('(on this server)')]);

    // Closing a page frees its place.
    await roots[0]?.body?.cancel();
    open.splice(open.indexOf(roots[0] as Response), 1);
    await eventually(async () => {
      const again = await streamAs(root);
      if (again.status !== 200) await again.body?.cancel();
      expect(again.status).toBe(200);
    });
  });
});
