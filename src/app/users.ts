import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ensurePrivateDirectory } from '../shared/persistence/private-directory';
import { type ConfiguredUser, MIN_TOKEN_LENGTH } from './config';

const devTokensSchema = z.record(z.string(), z.string().min(8));

/**
 * Without REFINERY_USERS the service runs for one person trying it out: a requester `alice`,
 * an approver `bob` and an admin `admin`, with random tokens kept in a file only its owner can
 * read (never printed, never in code). The same file is reused on the next start.
 */
export function demoUsers(tokensFile: string): ConfiguredUser[] {
  let tokens: Record<string, string> = {};
  if (existsSync(tokensFile)) tokens = devTokensSchema.parse(JSON.parse(readFileSync(tokensFile, 'utf8')));
  const roles = { alice: ['requester'], bob: ['approver'], admin: ['admin'] } as const;
  let changed = false;
  for (const id of Object.keys(roles)) {
    // A token from before tokens needed 32+ characters is replaced too.
    if (!tokens[id] || tokens[id].length < MIN_TOKEN_LENGTH) {
      tokens[id] = randomBytes(32).toString('base64url');
      changed = true;
    }
  }
  if (changed) writePrivateFile(tokensFile, `${JSON.stringify(tokens, null, 2)}\n`);
  return Object.entries(roles).map(([id, r]) => ({ id, name: id, roles: [...r], token: tokens[id] as string }));
}

/**
 * The demo's LINK_SECRET when none is configured: random, kept beside the demo tokens, reused on
 * the next start so links in earlier notifications still work.
 */
export function demoLinkSecret(secretFile: string): string {
  if (existsSync(secretFile)) {
    const existing = readFileSync(secretFile, 'utf8').trim();
    if (existing.length >= 32) return existing;
  }
  const secret = randomBytes(32).toString('base64url');
  writePrivateFile(secretFile, `${secret}\n`);
  return secret;
}

/** Only its owner may read it, in a folder only its owner may enter; chmod too, since `mode` does not apply to a file that exists already. */
function writePrivateFile(file: string, content: string): void {
  ensurePrivateDirectory(dirname(file));
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}
