import type { Application } from '../../src/app/container';
import { bearer, startTestApp } from '../support/app';
import { MovableClock } from '../support/movable-clock';
import { createScratchDatabase, type ScratchDatabase } from '../support/postgres';
import { UNAUTHORIZED } from '../support/unauthorized';

const DAY_MS = 86_400_000;

describe('token expiry and its audit entries on the real PostgreSQL', () => {
  const clock = new MovableClock();
  let scratch: ScratchDatabase;
  let app: Application;
  let base: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    app = await startTestApp({ databaseUrl: scratch.url, clock });
    base = await app.http.listen({ host: '127.0.0.1', port: 0 });
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await scratch?.drop();
  });

  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('stores the expiry (migrated column), refuses the token from then on, and audits its issue and revoke', async () => {
    const issued = await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'alice', label: 'two days', expiresInDays: 2 });
    expect(issued.status).toBe(201);
    const { id, token, createdAt } = issued.body as { id: string; token: string; createdAt: string };
    const expiresAt = new Date(new Date(createdAt).getTime() + 2 * DAY_MS).toISOString();
    const listed = (await call('GET', '/api/admin/tokens', bearer('root'))).body['tokens'];
    expect(listed).toEqual([expect.objectContaining({ id, expiresAt })]);

    expect((await call('GET', '/api/tasks', { authorization: `Bearer ${token}` })).status).toBe(200);
    clock.advance(2 * DAY_MS);
    expect(await call('GET', '/api/tasks', { authorization: `Bearer ${token}` })).toEqual({ status: 401, body: UNAUTHORIZED });

    expect((await call('DELETE', `/api/admin/tokens/${id}`, bearer('root'))).status).toBe(200);
    const actions = (await call('GET', '/api/admin/audit', bearer('root'))).body['actions'] as Array<Record<string, unknown>>;
    expect(actions.map((a) => [a['action'], a['target'], a['outcome']])).toEqual([
      ['api-tokens.revoke', `token ${id} of alice`, 'ok'],
      ['api-tokens.issue', `token ${id} for alice`, 'ok'],
    ]);
  });
});
