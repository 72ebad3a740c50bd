import { createHash } from 'node:crypto';
import type { Application } from '../../src/app/container';
import { bearer, startTestApp, tokenOf } from '../support/app';
import { memoryLogger } from '../support/channel-helpers';
import { MovableClock } from '../support/movable-clock';
import { UNAUTHORIZED } from '../support/unauthorized';

const DAY_MS = 86_400_000;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

interface AuditEntry {
  readonly at: string;
  readonly actorId: string;
  readonly action: string;
  readonly target: string;
  readonly taskId: string | null;
  readonly outcome: string;
  readonly detail: string;
}

interface TokenView {
  readonly id: string;
  readonly userId: string;
  readonly label: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly token?: string;
}

const as = (token: string) => ({ authorization: `Bearer ${token}` });
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

function client(base: string) {
  return async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
  };
}

/** `refinery_auth_failures_total{reason="…"}` as /metrics shows it (0 when absent). */
async function authFailures(base: string, reason: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`refinery_auth_failures_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('issued API tokens: audited when issued or revoked, refused once expired', () => {
  const log = memoryLogger();
  const clock = new MovableClock();
  let app: Application;
  let base: string;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    app = await startTestApp({ env: { LOG_LEVEL: 'info' }, logger: log.logger, clock });
    base = await app.http.listen({ host: '127.0.0.1', port: 0 });
    call = client(base);
  }, 90_000);
  afterAll(() => app?.stop());

  const audit = async (): Promise<AuditEntry[]> => {
    const answer = await call('GET', '/api/admin/audit', bearer('root'));
    expect(answer.status).toBe(200);
    return answer.body['actions'] as AuditEntry[];
  };
  const issue = async (body: Record<string, unknown>): Promise<TokenView & { token: string }> => {
    const issued = await call('POST', '/api/admin/tokens', bearer('root'), body);
    expect(issued.status).toBe(201);
    return issued.body as unknown as TokenView & { token: string };
  };

  it('writes who issued a token, for whom, its label and id to the audit log, and who revoked it; never the token', async () => {
    const issued = await issue({ userId: 'alice', label: 'alice laptop' });
    const revoked = await call('DELETE', `/api/admin/tokens/${issued.id}`, bearer('root'));
    expect(revoked.status).toBe(200);

    const [revoke, issue1] = await audit();
    expect(issue1).toEqual({
      id: expect.any(String),
      at: issued.createdAt,
      actorId: 'root',
      action: 'api-tokens.issue',
      target: `token ${issued.id} for alice`,
      taskId: null,
      outcome: 'ok',
      detail: 'issued "alice laptop" for alice; never expires',
    });
    expect(revoke).toEqual(
      expect.objectContaining({
        actorId: 'root',
        action: 'api-tokens.revoke',
        target: `token ${issued.id} of alice`,
        outcome: 'ok',
        detail: 'revoked "alice laptop"',
      }),
    );

    // Revoking again changes nothing, and says so.
    expect((await call('DELETE', `/api/admin/tokens/${issued.id}`, bearer('root'))).status).toBe(200);
    const { revokedAt } = revoked.body['token'] as { revokedAt: string };
    expect((await audit())[0]).toEqual(
      expect.objectContaining({ action: 'api-tokens.revoke', outcome: 'ok', detail: `"alice laptop" was revoked already, at ${revokedAt}` }),
    );

    const text = (await call('GET', '/api/admin/audit', bearer('root'))).text;
    expect(text).not.toContain(issued.token);
    expect(text).not.toContain(sha256Hex(issued.token));
    const stored: unknown[] = await app.database.dataSource.query('SELECT * FROM human_interaction.operator_actions');
    expect(JSON.stringify(stored)).not.toContain(issued.token);
  });

  it('writes refused attempts as failed: a token for nobody configured, revoking a token nobody has', async () => {
    expect((await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'mallory', label: 'x' })).status).toBe(400);
    expect((await call('DELETE', '/api/admin/tokens/no-such-token', bearer('root'))).status).toBe(404);
    const [revoke, issue1] = await audit();
    expect(issue1).toEqual(
      expect.objectContaining({
        actorId: 'root',
        action: 'api-tokens.issue',
        target: 'a token for mallory',
        outcome: 'failed',
        detail: 'mallory is not a configured user',
      }),
    );
    expect(revoke).toEqual(expect.objectContaining({ actorId: 'root', action: 'api-tokens.revoke', target: 'token no-such-token', outcome: 'failed' }));
  });

  it('refuses an expiry that is not a whole number of days from 1 to 3650, naming the field', async () => {
    const before = (await audit()).length;
    for (const expiresInDays of [0, -1, 1.5, '7', 3_651, null]) {
      const refused = await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'alice', label: 'x', expiresInDays });
      expect({ expiresInDays, status: refused.status, body: refused.body }).toEqual({
        expiresInDays,
        status: 400,
        body: { error: 'invalid_request', issues: [expect.objectContaining({ field: 'expiresInDays' })] },
      });
    }
    expect((await call('GET', '/api/admin/tokens', bearer('root'))).body['tokens']).not.toContainEqual(expect.objectContaining({ label: 'x' }));
    expect(await audit()).toHaveLength(before);
  });

  it('lets a token with an expiry work until then, and answers 401 from then on as for an unknown token, logged and counted as expired', async () => {
    const issued = await issue({ userId: 'alice', label: 'alice CI, one week', expiresInDays: 7 });
    const expiresAt = new Date(new Date(issued.createdAt).getTime() + 7 * DAY_MS).toISOString();
    expect(issued.expiresAt).toBe(expiresAt);
    const listed = (await call('GET', '/api/admin/tokens', bearer('root'))).body['tokens'] as TokenView[];
    expect(listed.find((t) => t.id === issued.id)).toEqual(expect.objectContaining({ expiresAt, revokedAt: null }));
    expect((await audit())[0]).toEqual(
      expect.objectContaining({ action: 'api-tokens.issue', detail: `issued "alice CI, one week" for alice; expires ${expiresAt}` }),
    );

    const signIn = (token: string) =>
      fetch(`${base}/inbox/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: new URLSearchParams({ token }).toString(),
        redirect: 'manual',
      });

    clock.advance(7 * DAY_MS - 60_000); // a minute before
    expect((await call('GET', '/api/tasks', as(issued.token))).status).toBe(200);
    const signedIn = await signIn(issued.token);
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const inbox = () => fetch(`${base}/inbox`, { headers: { cookie }, redirect: 'manual' });
    expect((await inbox()).status).toBe(200);
    const expiredBefore = await authFailures(base, 'expired');

    clock.advance(60_000); // the instant it expires
    const unknown = await call('GET', '/api/tasks', as('rfy_not-issued'));
    const expired = await call('GET', '/api/tasks', as(issued.token));
    expect(expired).toEqual({ status: 401, body: UNAUTHORIZED, text: unknown.text });
    // The web inbox and the admin routes refuse it too.
    expect((await call('GET', '/admin/dead-letters', as(issued.token))).status).toBe(401);
    expect((await signIn(issued.token)).status).toBe(401);
    // A sign-in made with it ends at its next page.
    const afterExpiry = await inbox();
    expect(afterExpiry.status).toBe(303);
    expect(afterExpiry.headers.get('location')).toMatch(/^\/inbox\/login/);

    expect(await authFailures(base, 'expired')).toBe(expiredBefore + 3);
    const refusals = log.lines.filter((line) => line.msg === 'authentication refused' && line.reason === 'expired');
    expect(refusals.map((line) => line.route)).toEqual(['/api/tasks', '/admin/dead-letters', '/inbox/login']);
    expect(refusals[0]).toMatchObject({ address: '127.0.0.1', method: 'GET', status: 401, tokenId: issued.id, level: 40 });
    // The unknown token is still an unknown one.
    expect(log.lines.filter((line) => line.msg === 'authentication refused' && line.reason === 'unknown-token')).not.toHaveLength(0);
    expect(log.raw.join('\n')).not.toContain(issued.token);
    expect(log.raw.join('\n')).not.toContain(tokenOf('root'));
  });
});

describe('a token and its audit entry commit together', () => {
  let app: Application;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    app = await startTestApp();
    call = client(await app.http.listen({ host: '127.0.0.1', port: 0 }));
  }, 90_000);
  afterAll(() => app?.stop());

  it('issues and revokes nothing when the audit log cannot be written', async () => {
    const kept = (await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'alice', label: 'kept' })).body as unknown as TokenView & { token: string };
    const query = (sql: string) => app.database.dataSource.query(sql);
    await query('ALTER TABLE human_interaction.operator_actions RENAME TO operator_actions_away');
    try {
      expect((await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'alice', label: 'unaudited' })).status).toBe(500);
      expect((await call('DELETE', `/api/admin/tokens/${kept.id}`, bearer('root'))).status).toBe(500);
    } finally {
      await query('ALTER TABLE human_interaction.operator_actions_away RENAME TO operator_actions');
    }
    const tokens = (await call('GET', '/api/admin/tokens', bearer('root'))).body['tokens'] as Array<TokenView & { revokedAt: string | null }>;
    expect(tokens.map((t) => [t.label, t.revokedAt])).toEqual([['kept', null]]);
    expect((await call('GET', '/api/tasks', as(kept.token))).status).toBe(200);
  });
});

describe('API_TOKEN_DEFAULT_EXPIRY_DAYS', () => {
  let app: Application;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    app = await startTestApp({ env: { API_TOKEN_DEFAULT_EXPIRY_DAYS: '30' } });
    call = client(await app.http.listen({ host: '127.0.0.1', port: 0 }));
  }, 90_000);
  afterAll(() => app?.stop());

  it('gives a token issued without an expiry of its own one that many days after it is issued; an expiresInDays of its own wins', async () => {
    const byDefault = (await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'bob', label: 'default' })).body as unknown as TokenView;
    expect(byDefault.expiresAt).toBe(new Date(new Date(byDefault.createdAt).getTime() + 30 * DAY_MS).toISOString());
    const own = (await call('POST', '/api/admin/tokens', bearer('root'), { userId: 'bob', label: 'own', expiresInDays: 2 })).body as unknown as TokenView;
    expect(own.expiresAt).toBe(new Date(new Date(own.createdAt).getTime() + 2 * DAY_MS).toISOString());
  });
});
