import { looksLikeLostConnection } from '../kernel/availability';

/**
 * True when connecting to PostgreSQL failed because it cannot be reached or is not accepting
 * sessions yet (refused, reset, timed out, unknown host, class 08, 57P01-57P03 such as "the
 * database system is starting up"): worth waiting for at start-up. The same test the outage
 * probe uses (`looksLikeLostConnection`). False for a refusal waiting cannot fix: 28P01 (wrong
 * password), 3D000 (no such database), 28000 (no pg_hba entry).
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  return looksLikeLostConnection(error);
}

/** `host:port` of a postgres:// URL, for logs and messages: never its user or password. */
export function postgresAddress(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname || (parsed.searchParams.get('host') ?? 'localhost');
  return `${host}:${parsed.port || '5432'}`;
}
