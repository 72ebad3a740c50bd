/** Socket errors that mean "the server is not reachable (yet)", not "it refused us". */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** SQLSTATEs of a server that is there but not accepting sessions yet: 57P03 cannot_connect_now ("the database system is starting up"). */
const NOT_YET_SQLSTATES = new Set(['57P03']);

/**
 * True when connecting to PostgreSQL failed because it cannot be reached or is still starting:
 * worth waiting for. False for everything else, e.g. 28P01 (wrong password), 3D000 (no such
 * database), 28000 (no pg_hba entry): waiting would not help.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || NOT_YET_SQLSTATES.has(code))) return true;
  // pg, when the server closes the socket during the handshake (e.g. it is shutting down).
  if (error instanceof Error && /^Connection terminated (unexpectedly|due to connection timeout)/.test(error.message)) return true;
  // Node's connect to a name with several addresses fails with all of them (AggregateError).
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every(isDatabaseUnreachable);
}

/** `host:port` of a postgres:// URL, for logs and messages: never its user or password. */
export function postgresAddress(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname || (parsed.searchParams.get('host') ?? 'localhost');
  return `${host}:${parsed.port || '5432'}`;
}
