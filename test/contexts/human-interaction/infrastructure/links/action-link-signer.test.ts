import { type ActionLinkClaims, actionsFor, linkClaimsFor } from '../../../../../src/contexts/human-interaction/domain/action-link';
import { ActionLinkSigner, actionLinkUrl, deriveKey } from '../../../../../src/contexts/human-interaction/infrastructure/links/action-link-signer';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const created = new Date('2026-11-24T10:00:00Z');
const source = { notificationId: 'notify:t1:4:bob', recipientId: 'bob', taskId: 't1', taskVersion: 4, prdVersion: 2, createdAt: created };
const HOUR = 3_600_000;

describe('signed action links', () => {
  const signer = new ActionLinkSigner(SECRET);
  const claims: ActionLinkClaims = linkClaimsFor(source, 'approve', 72 * HOUR);

  it('opens a link it signed, with every claim it was bound to', () => {
    const opened = signer.open(signer.sign(claims), new Date(created.getTime() + HOUR));
    expect(opened).toEqual({ ok: true, claims: { ...claims, expiresAt: new Date(created.getTime() + 72 * HOUR) } });
  });

  it('gives the same link for the same notification and action, another for another action', () => {
    expect(signer.sign(linkClaimsFor(source, 'approve', 72 * HOUR))).toBe(signer.sign(claims));
    const reject = linkClaimsFor(source, 'reject', 72 * HOUR);
    expect(reject.linkId).not.toBe(claims.linkId);
    expect(signer.sign(reject)).not.toBe(signer.sign(claims));
  });

  it('refuses a link once it has expired', () => {
    expect(signer.open(signer.sign(claims), new Date(created.getTime() + 72 * HOUR))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a link whose claims were changed (another user, action or PRD version) as tampered', () => {
    const token = signer.sign(claims);
    const [body, signature] = token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const change of [{ u: 'alice' }, { a: 'reject' }, { pv: 3 }, { e: 9_999_999_999 }]) {
      const forged = `${Buffer.from(JSON.stringify({ ...payload, ...change })).toString('base64url')}.${signature}`;
      expect(signer.open(forged, created)).toEqual({ ok: false, reason: 'tampered' });
    }
    const flipped = `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(signer.open(flipped, created)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a link signed with another secret, and text that is no link at all', () => {
    const other = new ActionLinkSigner('another-secret-of-at-least-thirty-two-chars');
    expect(signer.open(other.sign(claims), created)).toEqual({ ok: false, reason: 'tampered' });
    for (const junk of ['', 'abc', 'a.b', `${'x'.repeat(10)}.${'y'.repeat(43)}!`]) expect(signer.open(junk, created)).toMatchObject({ ok: false });
  });

  it('derives a different key for each purpose, and none equal to the secret', () => {
    const links = deriveKey(SECRET, 'action-links');
    const sessions = deriveKey(SECRET, 'web-session');
    expect(links.equals(sessions)).toBe(false);
    expect(links.toString('utf8')).not.toContain(SECRET);
  });

  it('links each kind of notification to the actions it asks for, under the public address', () => {
    expect(actionsFor('clarification-requested')).toEqual(['answer']);
    expect(actionsFor('prd-ready-for-review')).toEqual(['approve', 'reject']);
    expect(actionsFor('task-approved')).toEqual([]);
    expect(actionLinkUrl('https://refinery.example.com/', 'abc.def')).toBe('https://refinery.example.com/inbox/links/abc.def');
  });
});
