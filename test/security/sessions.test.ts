import type { Application } from '../../src/app/container';
import type { Clock } from '../../src/shared/kernel/clock';
import { BrowserLike } from '../contexts/human-interaction/infrastructure/web/support/browser-like';
import { startTestApp } from '../support/app';

/** A clock the test moves on by hand. */
class ManualClock implements Clock {
  private at = Date.now();
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** A browser holding a copy of another's cookie (copied out of it, stolen, or left behind). */
function copyOf(web: BrowserLike): BrowserLike {
  const copy = new BrowserLike(web.baseUrl);
  copy.sessionCookie = web.sessionCookie;
  return copy;
}

describe('a web sign-in ends at sign-out, everywhere, and after the idle time', () => {
  const clock = new ManualClock();
  let app: Application;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startTestApp({ clock, env: { SESSION_IDLE_MS: '600000', SESSION_TTL_MS: '3600000' } });
    baseUrl = await app.http.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => app.stop());

  it('sends a cookie used after sign-out to the sign-in page', async () => {
    const web = new BrowserLike(baseUrl);
    await web.signIn('alice');
    const copied = copyOf(web);
    expect((await copied.get('/inbox')).status).toBe(200);

    const out = await web.post('/inbox/logout');
    expect([out.status, out.location]).toEqual([303, '/inbox/login']);

    const after = await copied.get('/inbox');
    expect([after.status, after.location]).toEqual([303, '/inbox/login?next=%2Finbox']);
    const signInPage = await copied.get(after.location ?? '');
    expect(signInPage.status).toBe(200);
    expect(signInPage.body).toContain('name="token"');
    // A form post and a live stream with it are refused as well.
    expect((await copied.post('/inbox/requests', { title: 'x', description: 'y' })).location).toMatch(/^\/inbox\/login/);
    const stream = await fetch(`${baseUrl}/inbox/tasks/some-task/events`, { headers: { cookie: copied.sessionCookie ?? '' } });
    expect(stream.status).toBe(401);
    await stream.body?.cancel();
  });

  it('keeps another sign-in of the same person working after one signs out', async () => {
    const laptop = new BrowserLike(baseUrl);
    const phone = new BrowserLike(baseUrl);
    await laptop.signIn('bob');
    await phone.signIn('bob');
    await laptop.post('/inbox/logout');
    expect((await phone.get('/inbox')).status).toBe(200);
  });

  it('ends a sign-in unused for SESSION_IDLE_MS, while one in use stays', async () => {
    const idle = new BrowserLike(baseUrl);
    const busy = new BrowserLike(baseUrl);
    await idle.signIn('alice');
    await busy.signIn('carol');
    for (let i = 0; i < 3; i++) {
      clock.advance(400_000); // each step is within the 10 minutes; together they are past them
      expect((await busy.get('/inbox')).status).toBe(200);
    }
    const page = await idle.get('/inbox');
    expect([page.status, page.location]).toEqual([303, '/inbox/login?next=%2Finbox']);
  });
});
