import { randomBytes } from 'node:crypto';
import { configSchema, loadConfig } from '../../src/app/config';
import { effectiveSettings } from '../../src/app/options';

export interface BenchUsers {
  readonly requester: { readonly id: string; readonly token: string };
  readonly approver: { readonly id: string; readonly token: string };
  readonly admin: { readonly id: string; readonly token: string };
}

const token = () => randomBytes(32).toString('base64url');

/** Fresh tokens each run: nothing to leak, nothing reused from an earlier run. */
export function benchUsers(): BenchUsers {
  return { requester: { id: 'alice', token: token() }, approver: { id: 'bob', token: token() }, admin: { id: 'admin', token: token() } };
}

/**
 * Service settings for the bench: production defaults, with two exceptions. LOG_LEVEL=warn keeps
 * per-message logging out of the figures. POLLERS=8: each work item costs a claim and a completion
 * transaction around the agent, so the default two pollers cap the agent step at about
 * 2 / (2 x transaction time), below every other step (measured: the PRD step then queues for
 * seconds). The intervals stay at their defaults on purpose: on the happy path every step is pushed
 * (the outbox relay is kicked on commit, pollers when a work item appears, orchestration drives on
 * each event), so they only bound idle loops and repairs, and shorter ones add idle transactions
 * (8 pollers per process at 100 ms would add 80 commits/s each) without making a workflow faster.
 */
export const BENCH_SERVICE_DEFAULTS: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'warn',
  RABBITMQ_QUEUE_TYPE: 'quorum',
  POLLERS: '8',
};

export interface ServiceEnvInput {
  readonly databaseUrl: string;
  readonly rabbitmqUrl: string;
  readonly prefix: string;
  readonly users: BenchUsers;
  readonly linkSecret: string;
  readonly overrides: Readonly<Record<string, string>>;
}

/** The environment one service process is configured from (its CONTEXTS and PORT are added per process). */
export function serviceEnv(input: ServiceEnvInput): Record<string, string> {
  const { users } = input;
  return {
    ...BENCH_SERVICE_DEFAULTS,
    DATABASE_URL: input.databaseUrl,
    RABBITMQ_URL: input.rabbitmqUrl,
    RABBITMQ_PREFIX: input.prefix,
    // One secret for every process: a link signed by one verifies in another.
    LINK_SECRET: input.linkSecret,
    REFINERY_USERS: [
      `${users.requester.id}:requester:${users.requester.token}`,
      `${users.approver.id}:approver:${users.approver.token}`,
      `${users.admin.id}:admin:${users.admin.token}`,
    ].join(','),
    ...input.overrides,
  };
}

/** The settings worth printing next to the figures (no URLs, no tokens). */
export function reportedSettings(env: Readonly<Record<string, string>>): Record<string, string> {
  return effectiveSettings(loadConfig(env));
}

/**
 * The parent's environment without any service or OpenTelemetry setting, so none leaks into a
 * child by accident (an OTEL_EXPORTER_OTLP_ENDPOINT in the shell would turn tracing on).
 */
export function environmentWithoutServiceSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const serviceKeys = new Set(Object.keys(configSchema.shape));
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !serviceKeys.has(entry[0]) && !entry[0].startsWith('OTEL_')),
  );
}
