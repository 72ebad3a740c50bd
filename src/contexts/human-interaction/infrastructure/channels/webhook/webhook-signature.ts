import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook receiver knows a request came from this Refinery and was not altered or replayed:
 *
 *   x-refinery-timestamp: <unix seconds>
 *   x-refinery-signature: v1=<hex HMAC-SHA256(WEBHOOK_SECRET, "<timestamp>.<raw body>")>
 *
 * The receiver recomputes the HMAC over the raw body bytes exactly as received (before any JSON
 * parsing), compares in constant time, and refuses timestamps too far from its own clock. The
 * header may carry several comma-separated signatures (while a secret is being rotated); one
 * match is enough. `verifyWebhookSignature` below depends on node:crypto only: copy it.
 */
export const WEBHOOK_SIGNATURE_SCHEME = 'v1';

export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `${WEBHOOK_SIGNATURE_SCHEME}=${mac}`;
}

/**
 * True when `signatureHeader` holds a v1 signature of `timestamp` and `body` under `secret`, and
 * `timestamp` is within `toleranceSec` of `now` (replay protection).
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  body: string | Buffer,
  signatureHeader: string | undefined,
  now: Date = new Date(),
  toleranceSec = 300,
): boolean {
  if (!timestamp || !signatureHeader || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSec) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex'), 'utf8');
  return signatureHeader.split(',').some((part) => {
    const [scheme, value] = part.trim().split('=', 2);
    if (scheme !== 'v1' || value === undefined) return false;
    const presented = Buffer.from(value, 'utf8');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  });
}
