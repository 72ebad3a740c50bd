import { sha256Hex } from '../../../../../src/contexts/human-interaction/application/api-tokens/api-token-secret';
import { WebSessions } from '../../../../../src/contexts/human-interaction/infrastructure/web/web-session';
import { TEST_LINK_SECRET } from '../../../../support/app';

/** What a session carries for that re-check: who signed in and the sha256 of the token used, sealed. */
describe('re-checking a web session credential', () => {
  it('keeps who signed in and with which token in the session until it expires', () => {
    const sessions = new WebSessions(TEST_LINK_SECRET, 60_000);
    const now = new Date('2026-01-05T10:00:00Z');
    const cookie = sessions.issue({ userId: 'alice', credentialSha256: sha256Hex('alice-token-1') }, now);
    expect(sessions.open(cookie, now)).toEqual({
      sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      userId: 'alice',
      credentialSha256: sha256Hex('alice-token-1'),
      expiresAt: new Date(now.getTime() + 60_000),
      idleUntil: new Date(now.getTime() + 60_000),
    });
    expect(sessions.open(cookie, new Date(now.getTime() + 60_000))).toBeUndefined();
    expect(new WebSessions(`${TEST_LINK_SECRET}-other`, 60_000).open(cookie, now)).toBeUndefined();
    // Sealed: neither the person nor the token's hash can be read from the cookie, nor one bit changed.
    const raw = Buffer.from(cookie, 'base64url');
    expect(raw.toString('latin1')).not.toContain('alice');
    expect(raw.toString('latin1')).not.toContain(sha256Hex('alice-token-1'));
    expect(cookie).not.toContain(Buffer.from(sha256Hex('alice-token-1')).toString('base64url').slice(0, 20));
    raw[raw.length - 20] = (raw[raw.length - 20] ?? 0) ^ 1;
    expect(sessions.open(raw.toString('base64url'), now)).toBeUndefined();
  });

  it('ends a session unused for the idle time, and renewing it moves that on, never past its end', () => {
    const sessions = new WebSessions(TEST_LINK_SECRET, 60_000, 10_000);
    const t0 = new Date('2026-01-05T10:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const cookie = sessions.issue({ userId: 'alice', credentialSha256: sha256Hex('alice-token-1') }, t0);
    expect(sessions.open(cookie, at(9_999))).toBeDefined();
    expect(sessions.open(cookie, at(10_000))).toBeUndefined();
    const first = sessions.open(cookie, at(9_000));
    if (!first) throw new Error('the session should be open');
    const renewed = sessions.renew(first, at(9_000));
    expect(sessions.open(renewed, at(18_000))).toMatchObject({ sessionId: first.sessionId, idleUntil: at(19_000) });
    const late = sessions.open(sessions.renew(first, at(55_000)), at(55_000));
    expect(late?.idleUntil).toEqual(at(60_000));
    expect(sessions.open(sessions.renew(first, at(55_000)), at(60_000))).toBeUndefined();
  });

  it('gives every sign-in its own id', () => {
    const sessions = new WebSessions(TEST_LINK_SECRET, 60_000);
    const now = new Date();
    const a = sessions.open(sessions.issue({ userId: 'alice', credentialSha256: sha256Hex('x') }, now), now);
    const b = sessions.open(sessions.issue({ userId: 'alice', credentialSha256: sha256Hex('x') }, now), now);
    expect(a?.sessionId).not.toEqual(b?.sessionId);
  });
});
