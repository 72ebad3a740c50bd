import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM sealed tokens, base64url of `iv | ciphertext | tag`: like SignedTokens, a token
 * nobody can alter or forge without the key, and besides, nobody can read it. Used where the
 * payload must not be seen by whoever holds the token (a session cookie naming a credential).
 */
export class SealedTokens {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a sealing key is 32 bytes');
  }

  seal(payload: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The payload, or undefined when the token is not one this key sealed (altered, forged, junk). */
  open(token: string): unknown {
    if (!/^[A-Za-z0-9_-]{1,8192}$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}
