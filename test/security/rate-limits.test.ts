import type { Application } from '../../src/app/container';
import { bearer, startTestApp, tokenOf } from '../support/app';
import { memoryLogger } from '../support/channel-helpers';

async function listening(app: Application): Promise<string> {
  return app.http.listen({ host: '127.0.0.1', port: 0 });
}

/** `refinery_auth_failures_total{reason="…"}` as /metrics shows it (0 when absent). */
async function authFailures(base: string, reason: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`refinery_auth_failures_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const wrongToken = (i: number) => `wrong-token-${i}-${'x'.repeat(24)}`;

describe('failed authentications are limited per client address, logged without the token and counted', () => {
  const log = memoryLogger();
  let app: Application;
  let base: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { LOG_LEVEL: 'info', AUTH_FAILURE_LIMIT: '20', RATE_LIMIT_WINDOW_MS: '60000' }, logger: log.logger });
    base = await listening(app);
  });
  afterAll(async () => app.stop());

  it('answers 401 to 20 wrong tokens in a minute, 429 with Retry-After to the 21st and then even to a right token', async () => {
    for (let i = 1; i <= 20; i++) {
      const response = await fetch(`${base}/api/tasks`, { headers: { authorization: `Bearer ${wrongToken(i)}` } });
      expect(response.status).toBe(401);
    }
    const twentyFirst = await fetch(`${base}/api/tasks`, { headers: { authorization: `Bearer ${wrongToken(21)}` } });
    expect(twentyFirst.status).toBe(429);
    const retryAfter = Number(twentyFirst.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await twentyFirst.json()).toEqual({ error: 'too_many_requests', message: expect.stringContaining('retry in') });
    // A right token is not told apart while the address is throttled: guessing learns nothing.
    expect((await fetch(`${base}/api/tasks`, { headers: bearer('alice') })).status).toBe(429);
    // The web sign-in from the same address is throttled too.
    const signIn = await fetch(`${base}/inbox/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: new URLSearchParams({ token: tokenOf('alice') }).toString(),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(429);
    expect(Number(signIn.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('logs each refusal with address, route and reason, never the token, and counts it', async () => {
    const refused = log.lines.filter((line) => line.msg === 'authentication refused');
    expect(refused).toHaveLength(20);
    expect(refused[0]).toMatchObject({ address: '127.0.0.1', method: 'GET', route: '/api/tasks', status: 401, reason: 'unknown-token', level: 40 });
    const throttled = log.lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('authentication throttled'));
    expect(throttled).toHaveLength(1); // once per address and window, not per refused request
    expect(throttled[0]).toMatchObject({ address: '127.0.0.1', route: '/api/tasks', status: 429, reason: 'throttled' });
    for (let i = 1; i <= 21; i++) expect(log.raw.join('\n')).not.toContain(wrongToken(i));
    expect(log.raw.join('\n')).not.toContain(tokenOf('alice'));
    expect(await authFailures(base, 'unknown-token')).toBe(20);
    expect(await authFailures(base, 'throttled')).toBe(3);
  });
});

describe('refused access and the other limits', () => {
  const log = memoryLogger();
  let app: Application;
  let base: string;

  beforeAll(async () => {
    app = await startTestApp({
      env: { LOG_LEVEL: 'info', AUTH_FAILURE_LIMIT: '1000', AUTH_FAILURE_LIMIT_OVERALL: '5', SIGN_IN_LIMIT: '3', LINK_POST_LIMIT: '2' },
      logger: log.logger,
    });
    base = await listening(app);
  });
  afterAll(async () => app.stop());

  it('logs and counts a 403 (a known token that may not do this)', async () => {
    expect((await fetch(`${base}/api/admin/tokens`, { headers: bearer('alice') })).status).toBe(403);
    expect(log.lines.find((line) => line.msg === 'access refused')).toMatchObject({
      address: '127.0.0.1',
      route: '/api/admin/tokens',
      status: 403,
      reason: 'forbidden',
    });
    expect(await authFailures(base, 'forbidden')).toBe(1);
  });

  it('limits sign-in attempts per address, right or wrong: the 4th of 3 allowed gets 429 with Retry-After', async () => {
    const signIn = (token: string) =>
      fetch(`${base}/inbox/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: new URLSearchParams({ token }).toString(),
        redirect: 'manual',
      });
    expect((await signIn(tokenOf('alice'))).status).toBe(303);
    expect((await signIn(wrongToken(1))).status).toBe(401);
    expect((await signIn(tokenOf('alice'))).status).toBe(303);
    const fourth = await signIn(tokenOf('alice'));
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await fourth.text()).toContain('Too many attempts');
    expect(log.lines.find((line) => line.msg === 'authentication refused' && line.route === '/inbox/login')).toMatchObject({ reason: 'sign-in-refused' });
  });

  it('limits action-link form posts per address', async () => {
    const post = () =>
      fetch(`${base}/inbox/links/not-a-real-link`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: '',
      });
    expect((await post()).status).toBe(400);
    expect((await post()).status).toBe(400);
    const third = await post();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits failed authentications from all addresses together (AUTH_FAILURE_LIMIT_OVERALL)', async () => {
    // One failed sign-in above already counts; four more wrong tokens fill the five.
    for (let i = 0; i < 4; i++) expect((await fetch(`${base}/api/tasks`, { headers: { authorization: `Bearer ${wrongToken(i)}` } })).status).toBe(401);
    expect((await fetch(`${base}/api/tasks`, { headers: bearer('bob') })).status).toBe(429);
  });
});
