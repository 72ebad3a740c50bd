import type { Command } from 'commander';
import type { ApiTokenView } from './api-client';
import type { CliIo } from './cli-io';
import { apiClientFor, type ConnectionFlags, positiveInteger, withConnection } from './connection';
import { EXIT } from './exit-codes';
import { instant, printable, table } from './terminal-text';

type Run = (action: () => Promise<number>) => Promise<void>;

function formatTokenTable(tokens: readonly ApiTokenView[]): string {
  if (tokens.length === 0) return 'no issued tokens\n';
  const rows = tokens.map((t) => [
    printable(t.id),
    printable(t.userId),
    instant(t.createdAt),
    t.expiresAt === null ? 'never' : instant(t.expiresAt),
    instant(t.lastUsedAt),
    instant(t.revokedAt),
    printable(t.label),
  ]);
  return `${table(['ID', 'USER', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED', 'LABEL'], rows)}\n${tokens.length} token${tokens.length === 1 ? '' : 's'}\n`;
}

/** `refinery tokens issue|list|revoke`: API tokens for configured people (admin). */
export function registerTokenCommands(program: Command, io: CliIo, run: Run): void {
  const group = program
    .command('tokens')
    .description('issue, list and revoke API tokens (admin); the service stores only their sha256 and writes each issue and revoke to the audit log');

  withConnection(group.command('issue').description('issue a token for a configured person; prints it once, on stdout'))
    .requiredOption('--user <userId>', 'whose token (a person in REFINERY_USERS); it carries their roles')
    .requiredOption('--label <label>', 'what it is for, e.g. "alice laptop" or "CI"')
    .option('--expires-in-days <n>', "refused from this many days on (default: the server's API_TOKEN_DEFAULT_EXPIRY_DAYS, or never)", positiveInteger)
    .action((flags: ConnectionFlags & { user: string; label: string; expiresInDays?: number }) =>
      run(async () => {
        const issued = await apiClientFor(flags, io).issueToken(flags.user, flags.label, flags.expiresInDays);
        // The token alone on stdout (`TOKEN=$(refinery tokens issue …)`); it cannot be shown again.
        io.stdout(`${issued.token}\n`);
        const expiry = issued.expiresAt === null ? 'never expires' : `expires ${instant(issued.expiresAt)}`;
        io.stderr(
          `issued token ${printable(issued.id)} for ${printable(issued.userId)} (${printable(issued.label)}), ${expiry}: keep it now, it is not shown again\n`,
        );
        return EXIT.ok;
      }),
    );

  withConnection(group.command('list').description('issued tokens, revoked ones too (never the tokens themselves)'))
    .option('--json', 'print JSON')
    .action((flags: ConnectionFlags & { json?: boolean }) =>
      run(async () => {
        const tokens = await apiClientFor(flags, io).listTokens();
        io.stdout(flags.json ? `${JSON.stringify(tokens, null, 2)}\n` : formatTokenTable(tokens));
        return EXIT.ok;
      }),
    );

  withConnection(
    group.command('revoke').description('revoke a token: refused from the next request on').argument('<tokenId>', 'as `tokens list` shows it'),
  ).action((tokenId: string, flags: ConnectionFlags) =>
    run(async () => {
      const revoked = await apiClientFor(flags, io).revokeToken(tokenId);
      io.stdout(`revoked token ${printable(revoked.id)} of ${printable(revoked.userId)} (${printable(revoked.label)}) at ${instant(revoked.revokedAt)}\n`);
      return EXIT.ok;
    }),
  );
}
