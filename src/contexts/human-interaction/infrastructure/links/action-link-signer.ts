import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ActionLinkTokens, OpenedLink } from '../../application/act-on-link/action-link-tokens';
import { type ActionLinkClaims, LINK_ACTIONS } from '../../domain/action-link';

/**
 * A key for one purpose, derived from the configured secret (HKDF-SHA256): the key that signs
 * links never signs sessions, and neither is the secret itself.
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), Buffer.from(`refinery:${purpose}`, 'utf8'), 32));
}

/** HMAC-SHA256 signed `<payload>.<signature>` tokens, both parts base64url. */
export class SignedTokens {
  constructor(private readonly key: Buffer) {}

  sign(payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The payload, `'malformed'` when it is not a token at all, `'tampered'` when the signature does not match. */
  open(token: string): unknown {
    const match = /^([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return MALFORMED;
    const [, body = '', signature = ''] = match;
    const expected = Buffer.from(this.mac(body), 'utf8');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'utf8'))) return TAMPERED;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    } catch {
      return MALFORMED;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

const MALFORMED = Symbol('malformed');
const TAMPERED = Symbol('tampered');

const linkPayload = z.object({
  v: z.literal(1),
  i: z.string().min(1),
  n: z.string().min(1),
  u: z.string().min(1),
  t: z.string().min(1),
  a: z.enum(LINK_ACTIONS),
  tv: z.number().int().nonnegative(),
  pv: z.number().int().positive().nullable(),
  e: z.number().int().positive(),
});

/** Action link tokens as HMAC-signed payloads (see SignedTokens), under a key derived for links only. */
export class ActionLinkSigner implements ActionLinkTokens {
  private readonly tokens: SignedTokens;

  constructor(secret: string) {
    this.tokens = new SignedTokens(deriveKey(secret, 'action-links'));
  }

  sign(claims: ActionLinkClaims): string {
    return this.tokens.sign({
      v: 1,
      i: claims.linkId,
      n: claims.notificationId,
      u: claims.userId,
      t: claims.taskId,
      a: claims.action,
      tv: claims.taskVersion,
      pv: claims.prdVersion,
      e: Math.floor(claims.expiresAt.getTime() / 1000),
    });
  }

  open(token: string, now: Date): OpenedLink {
    const opened = this.tokens.open(token);
    if (opened === TAMPERED) return { ok: false, reason: 'tampered' };
    const parsed = linkPayload.safeParse(opened);
    if (opened === MALFORMED || !parsed.success) return { ok: false, reason: 'malformed' };
    const p = parsed.data;
    const claims: ActionLinkClaims = {
      linkId: p.i,
      notificationId: p.n,
      userId: p.u,
      taskId: p.t,
      action: p.a,
      taskVersion: p.tv,
      prdVersion: p.pv,
      expiresAt: new Date(p.e * 1000),
    };
    if (claims.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}

/** Where a link points, under the service's public address. */
export function actionLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/inbox/links/${token}`;
}
