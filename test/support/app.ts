import type { ConfiguredUser } from '../../src/app/config';
import { configSchema } from '../../src/app/config';
import { Application } from '../../src/app/container';
import type { Clock } from '../../src/shared/kernel/clock';
import { type Logger, silentLogger } from '../../src/shared/logging/logger';
import type { FaultOptions } from '../../src/shared/messaging/in-memory/fault-injector';
import { mulberry32 } from '../../src/shared/messaging/in-memory/seeded-random';
import { openTestDatabase } from './database';

export const TEST_USERS: readonly ConfiguredUser[] = [
  { id: 'alice', name: 'Alice', roles: ['requester'], token: 'alice-test-token-0123456789abcdefghij' },
  { id: 'carol', name: 'Carol', roles: ['requester'], token: 'carol-test-token-0123456789abcdefghij' },
  { id: 'bob', name: 'Bob', roles: ['approver'], token: 'bob-test-token-0123456789abcdefghij' },
  { id: 'root', name: 'Root', roles: ['admin'], token: 'root-test-token-0123456789abcdefghij' },
];

/** Someone who both requests and approves (four-eyes tests configure them; TEST_USERS do not hold them). */
export const TWO_ROLE_USER: ConfiguredUser = { id: 'dana', name: 'Dana', roles: ['requester', 'approver'], token: 'dana-test-token-0123456789abcdefghij' };

/** The tests' LINK_SECRET: a test signs links the service accepts, or tampers with them. */
export const TEST_LINK_SECRET = 'test-link-secret-0123456789abcdef-0123456789';

/** The configured bearer token of a test user; empty for an id that is not one. */
export const tokenOf = (userId: string): string => [...TEST_USERS, TWO_ROLE_USER].find((u) => u.id === userId)?.token ?? '';

export const bearer = (userId: string) => ({ authorization: `Bearer ${tokenOf(userId) || 'unknown'}` });

export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly faults?: FaultOptions;
  readonly seed?: number;
  readonly clock?: Clock;
  /** A real PostgreSQL database (integration tests); in-memory PGlite otherwise. */
  readonly databaseUrl?: string;
  /** Silent unless a test reads the service's log lines. */
  readonly logger?: Logger;
  /** The configured people; TEST_USERS unless a test needs others (someone with two roles, say). */
  readonly users?: readonly ConfiguredUser[];
  /** PGlite in this folder instead of in memory: a second app started on it finds what the first left. */
  readonly pgliteDataDir?: string;
}

/**
 * The whole service in one process, as `npm start` builds it, on a fresh in-memory PGlite and the
 * in-memory queue unless `databaseUrl` / `env.RABBITMQ_URL` name real ones; timings shortened so
 * sweeps and retries happen within a test.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<Application> {
  const config = configSchema.parse({
    LOG_LEVEL: 'silent',
    RETRY_INITIAL_DELAY_MS: '5',
    RETRY_MAX_DELAY_MS: '100',
    RETRY_START_OVER_AFTER_MS: '100',
    OUTBOX_POLL_INTERVAL_MS: '20',
    SCAN_INTERVAL_MS: '50',
    REDRIVE_AFTER_MS: '300',
    REPUBLISH_IDLE_MS: '300',
    RESEND_UNCONFIRMED_AFTER_MS: '1000',
    RESEND_SWEEP_INTERVAL_MS: '200',
    POLL_INTERVAL_MS: '20',
    LEASE_MS: '5000',
    LINK_SECRET: TEST_LINK_SECRET,
    // Tests make many refused requests from 127.0.0.1 in a minute; the rate-limit tests set their own.
    AUTH_FAILURE_LIMIT: '100000',
    AUTH_FAILURE_LIMIT_OVERALL: '100000',
    SIGN_IN_LIMIT: '100000',
    LINK_POST_LIMIT: '100000',
    ...options.env,
  });
  const database = await openTestDatabase([], options.databaseUrl, options.pgliteDataDir);
  const app = await Application.create({
    config,
    users: options.users ?? TEST_USERS,
    logger: options.logger ?? silentLogger(),
    database,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    random: mulberry32(options.seed ?? 42),
  });
  await app.start();
  return app;
}

/** The application's transport as the class the test configured, or a failure saying what it is. */
export function transportOf<T extends object>(app: Application, kind: abstract new (...args: never[]) => T): T {
  const { transport } = app;
  if (!(transport instanceof kind)) throw new Error(`the application runs on ${transport.constructor.name}, not ${kind.name}`);
  return transport;
}
