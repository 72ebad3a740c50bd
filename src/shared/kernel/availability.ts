/** A dependency this process cannot reach right now, as its probe last saw it. */
export interface Outage {
  /** As people name it: `PostgreSQL`. */
  readonly dependency: string;
  readonly since: Date;
  /** The error that showed it (no credentials: driver messages name host and port at most). */
  readonly reason: string;
}

/**
 * Port: whether the infrastructure this process needs answers. It tells "the database is down"
 * apart from "this message (or request) fails": a failure that looks like a lost connection is
 * checked with a probe, and only a failed probe makes it an outage. Message consumers wait out
 * an outage without spending a message's attempts; HTTP answers 503 naming the dependency.
 */
export interface DependencyAvailability {
  /** What is down now, as far as the probes know (empty while everything answers). */
  outages(): readonly Outage[];
  /**
   * After `error`: the outage it shows, probing at once when the error looks like a lost
   * connection and nothing is known to be down yet; undefined when it is not an outage.
   */
  diagnose(error: unknown): Promise<Outage | undefined>;
  /** Resolves true once nothing is down (at once when nothing is); false when `signal` aborts first. */
  whenAvailable(signal?: AbortSignal): Promise<boolean>;
}

/** For code that runs with no probe (tests of one part, PGlite in one process can still use the real one). */
export const ALWAYS_AVAILABLE: DependencyAvailability = {
  outages: () => [],
  diagnose: async () => undefined,
  whenAvailable: async () => true,
};

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
// PostgreSQL's own: class 08 (connection exception), 57P01-57P03 (shutting down, crashed, starting up).
const CONNECTION_SQLSTATE = /^(08...|57P0[123])$/;
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|terminating connection due to administrator command|the database system is (starting up|shutting down)/i;

/**
 * Whether `error` (or what it wraps: `cause`, typeorm's `driverError`, an AggregateError's
 * errors) looks like a connection that failed rather than a statement that did. A guess on the
 * error's shape only; `DependencyAvailability.diagnose` confirms it with a probe.
 */
export function looksLikeLostConnection(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; message?: unknown; cause?: unknown; driverError?: unknown; errors?: unknown };
  if (typeof candidate.code === 'string' && (CONNECTION_CODES.has(candidate.code) || CONNECTION_SQLSTATE.test(candidate.code))) return true;
  if (typeof candidate.message === 'string' && CONNECTION_MESSAGES.test(candidate.message)) return true;
  const inner = [candidate.cause, candidate.driverError, ...(Array.isArray(candidate.errors) ? (candidate.errors as unknown[]) : [])];
  return inner.some((wrapped) => looksLikeLostConnection(wrapped, depth + 1));
}

/** What a client is told to wait before trying again while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

/** The JSON body of a 503 for an outage: names the dependency, never the connection details. */
export function outageBody(outage: Outage): { error: 'unavailable'; dependency: string; message: string } {
  return {
    error: 'unavailable',
    dependency: outage.dependency,
    message: `${outage.dependency} is unavailable; nothing was changed. Try again in ${RETRY_AFTER_SECONDS} seconds.`,
  };
}
