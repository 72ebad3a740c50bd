import { WebhookHostPolicy } from '../contexts/human-interaction/application/channel-preferences/webhook-hosts';
import { z } from 'zod';

const USER_ROLES = ['requester', 'approver', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/**
 * A person from configuration. Exactly one of `token` (the bearer token itself) or `tokenSha256`
 * (its sha256, 64 lowercase hex digits: the token itself then never reaches the environment).
 */
export interface ConfiguredUser {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly UserRole[];
  readonly token?: string;
  readonly tokenSha256?: string;
}

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
/** A setting whose default belongs to the part it configures (a context, the relay, a transport): unset stays undefined. */
const optionalInt = (min = 0) => z.coerce.number().int().min(min).optional();

/** `a, b,,c` -> ['a', 'b', 'c']: the entries of a comma-separated variable, trimmed, empty ones dropped. */
function commaSeparated(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/**
 * `hooks.example.com,*.example.org`: host names (ASCII), `*.domain` for any host under it, IPv4 or
 * [IPv6] addresses; lower-cased.
 */
const hostList = z
  .string()
  .transform((raw) => commaSeparated(raw).map((host) => host.toLowerCase()))
  .pipe(z.array(z.string()).min(1, 'name at least one host'))
  .superRefine((hosts, ctx) => {
    // The policy itself judges each entry, so a value start-up accepts is one it can apply.
    hosts.forEach((host, i) => {
      try {
        new WebhookHostPolicy([host]);
      } catch {
        ctx.addIssue({ code: 'custom', path: [i], message: 'must be a host name, *.domain, an IPv4 address or [IPv6]' });
      }
    });
  });

/** What an entry shows of itself in an error: scheme, host and port only, so a password never reaches a log. */
function describedEntry(raw: string): string {
  try {
    const url = new URL(raw);
    return `(${url.protocol}//${url.host}) `;
  } catch {
    return '';
  }
}

/**
 * `amqp://user:password@node1:5672,amqp://user:password@node2:5672`: the nodes of one RabbitMQ
 * cluster (or a single node), each an amqp:// or amqps:// URL; the connection fails over between them.
 */
const rabbitMqUrls = z
  .string()
  .transform(commaSeparated)
  .pipe(z.array(z.string()).min(1, 'name at least one amqp:// or amqps:// URL'))
  .superRefine((urls, ctx) => {
    urls.forEach((url, i) => {
      if (!z.url({ protocol: /^amqps?$/ }).safeParse(url).success) {
        ctx.addIssue({ code: 'custom', path: [i], message: `${describedEntry(url)}must be an amqp:// or amqps:// URL (amqp://user:password@host:5672/vhost)` });
      }
    });
  });

/** `8443,9000`: TCP ports, 1 to 65535. */
const portList = z
  .string()
  .transform(commaSeparated)
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[0-9]{1,5}$/, 'must be a port number')
          .transform(Number)
          .pipe(z.number().int().min(1).max(65_535)),
      )
      .min(1, 'name at least one port'),
  );

const HASHED = 'sha256:';
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** The credential part of an entry: `sha256:<64 hex>` is a hash, anything else the token itself. */
/** A configured token's minimum length: guessing one must be out of reach (docs/security.md "Tokens and roles"). */
export const MIN_TOKEN_LENGTH = 32;

function credentialOf(raw: string): Pick<ConfiguredUser, 'token' | 'tokenSha256'> | string {
  if (raw.startsWith(HASHED)) {
    const hex = raw.slice(HASHED.length);
    // A token that merely starts with "sha256:" would be ambiguous: refuse rather than guess.
    return SHA256_HEX.test(hex) ? { tokenSha256: hex.toLowerCase() } : 'sha256: must be followed by 64 hex digits (the sha256 of the token)';
  }
  return raw.length >= MIN_TOKEN_LENGTH ? { token: raw } : `a token needs ${MIN_TOKEN_LENGTH}+ characters`;
}

/**
 * `id:role[+role]:token` or `id:role[+role]:sha256:<64 hex>`, comma-separated, e.g.
 * `alice:requester:s3cret,bob:approver+admin:sha256:9f86d0…`.
 */
const usersSchema = z
  .string()
  .transform((raw, ctx) => {
    const users: ConfiguredUser[] = [];
    for (const [i, entry] of commaSeparated(raw).entries()) {
      const [id, roles, ...rest] = entry.split(':');
      const credential = credentialOf(rest.join(':'));
      const parsedRoles = (roles ?? '').split('+').filter((r): r is UserRole => (USER_ROLES as readonly string[]).includes(r));
      if (!id || parsedRoles.length === 0 || parsedRoles.length !== (roles ?? '').split('+').length) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${i + 1} must be id:role[+role]:token (or id:role[+role]:sha256:<hex>) with roles from ${USER_ROLES.join(', ')}`,
        });
        return z.NEVER;
      }
      if (typeof credential === 'string') {
        // The user is named so the operator finds the entry; the token itself never is.
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (user ${id}): ${credential}` });
        return z.NEVER;
      }
      users.push({ id, name: id, roles: parsedRoles, ...credential });
    }
    return users;
  })
  .optional();

const CONTEXT_NAMES = ['task-management', 'orchestration', 'product-definition', 'human-interaction'] as const;
export type ContextName = (typeof CONTEXT_NAMES)[number];

/**
 * Every setting comes from the environment, parsed here once; docs/configuration.md lists them. The defaults
 * written here are the process's own (where it listens, what it connects to). A setting of a
 * context, of the relay or of a transport is optional here and its default is written once, in
 * that part's own options; `options.ts` maps the environment onto them.
 */
export const configSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(3000).pipe(z.number().max(65_535)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PGLITE_DATA_DIR: z.string().min(1).default('.refinery/pgdata'),
  DATABASE_POOL_SIZE: optionalInt(1),
  MIGRATE_ON_START: flag(true),
  /** How long start-up waits for PostgreSQL and RabbitMQ (with backoff) before it gives up; 0: one attempt. */
  STARTUP_TIMEOUT_MS: int(180_000, 0),
  RABBITMQ_URL: rabbitMqUrls.optional(),
  RABBITMQ_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, dots, dashes')
    .optional(),
  RABBITMQ_QUEUE_TYPE: z.enum(['quorum', 'classic']).optional(),
  RABBITMQ_PREFETCH: optionalInt(1),
  RABBITMQ_PUBLISH_TIMEOUT_MS: optionalInt(100),
  CONTEXTS: z
    .string()
    .default(CONTEXT_NAMES.join(','))
    .transform(commaSeparated)
    .pipe(z.array(z.enum(CONTEXT_NAMES)).min(1)),
  REFINERY_USERS: usersSchema,
  /** Who receives alerts (stalled and failed tasks): user ids, comma-separated; unset: every admin. */
  /** A context with no live worker this long raises an alert (0: never). */
  NO_WORKER_ALERT_AFTER_MS: int(60_000, 0),
  ALERT_RECIPIENTS: z
    .string()
    .transform(commaSeparated)
    .pipe(z.array(z.string().min(1).max(200)).min(1, 'name at least one user id'))
    .optional(),
  RETRY_MAX_ATTEMPTS: optionalInt(1),
  RETRY_INITIAL_DELAY_MS: optionalInt(1),
  RETRY_MAX_DELAY_MS: optionalInt(1),
  RETRY_START_OVER_AFTER_MS: int(10_000, 0),
  RETRY_WAIT_FOR_PRECEDING_MS: int(900_000, 0),
  OUTBOX_POLL_INTERVAL_MS: optionalInt(10),
  SCAN_INTERVAL_MS: optionalInt(10),
  REDRIVE_AFTER_MS: optionalInt(10),
  REPUBLISH_IDLE_MS: optionalInt(10),
  REPUBLISH_FINISHED_FOR_MS: optionalInt(0),
  RESEND_UNCONFIRMED_AFTER_MS: optionalInt(10),
  RESEND_SWEEP_INTERVAL_MS: optionalInt(0),
  STALLED_NEW_MS: optionalInt(1),
  STALLED_REQUEST_VALIDATION_MS: optionalInt(1),
  STALLED_CLARIFICATION_NEEDED_MS: optionalInt(1),
  STALLED_PRD_VALIDATION_MS: optionalInt(1),
  POLLERS: optionalInt(1),
  POLL_INTERVAL_MS: optionalInt(10),
  LEASE_MS: optionalInt(100),
  AGENT_MAX_ATTEMPTS: optionalInt(1),
  MAX_CLARIFICATION_ROUNDS: optionalInt(0),
  SHUTDOWN_TIMEOUT_MS: int(15_000, 100),
  /** How often this process heartbeats into the worker registry (docs/operations.md "Worker registry"). */
  WORKER_HEARTBEAT_MS: int(5_000, 50),
  /** A process whose last heartbeat is older than this is marked gone and its leases released; must exceed WORKER_HEARTBEAT_MS. */
  WORKER_LEASE_MS: int(15_000, 100),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Four-eyes: a task's requester may not approve or reject it, nor be picked as its approver. */
  APPROVAL_FOUR_EYES: flag(true),
  LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LINK_TTL_MS: optionalInt(60_000),
  SESSION_TTL_MS: optionalInt(60_000),
  /** How long an Idempotency-Key's first answer is replayed (docs/http-api.md "Idempotency-Key"). */
  IDEMPOTENCY_KEY_TTL_MS: optionalInt(1_000),
  /** How long a request waits for another one with the same Idempotency-Key before answering 409. */
  IDEMPOTENCY_KEY_WAIT_MS: optionalInt(1),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SMTP_FROM: z.string().min(3).optional(),
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBHOOK_ALLOWED_HOSTS: hostList.optional(),
  /** Ports besides 80 and 443 webhooks may go to: `8443,9000`. */
  WEBHOOK_ALLOWED_PORTS: portList.optional(),
  /** Lets webhooks go to loopback, private and other non-public addresses (off: refused when set and at connect time). */
  WEBHOOK_ALLOW_INTERNAL: flag(false),
  DELIVERY_MAX_ATTEMPTS: optionalInt(1),
  DELIVERY_INITIAL_DELAY_MS: optionalInt(1),
  DELIVERY_MAX_DELAY_MS: optionalInt(1),
  DELIVERY_POLL_INTERVAL_MS: optionalInt(10),
  DELIVERY_TIMEOUT_MS: optionalInt(100),
  BODY_LIMIT_BYTES: int(256 * 1024, 1024),
  /** The whole request (headers and body) must arrive within this; 0: no limit. */
  HTTP_REQUEST_TIMEOUT_MS: int(30_000, 0),
  /** The request's headers must arrive within this (at most HTTP_REQUEST_TIMEOUT_MS). */
  HTTP_HEADERS_TIMEOUT_MS: int(10_000, 1),
  /** An idle kept-alive connection is closed after this. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5_000, 1),
  /** A connection with no traffic either way for this long is closed (event streams send a heartbeat more often); 0: never. */
  HTTP_CONNECTION_TIMEOUT_MS: int(60_000, 0),
  /** The window every rate limit counts in. */
  RATE_LIMIT_WINDOW_MS: int(60_000, 1_000),
  /** Failed authentications (401) one client address may make per window; beyond, its authenticating requests get 429. */
  AUTH_FAILURE_LIMIT: int(20, 1),
  /** Failed authentications from all addresses together per window; beyond, every authenticating request gets 429. */
  AUTH_FAILURE_LIMIT_OVERALL: int(1_000, 1),
  /** Sign-in attempts (POST /inbox/login) per client address per window. */
  SIGN_IN_LIMIT: int(10, 1),
  /** Action-link form posts (POST /inbox/links/…) per client address per window. */
  LINK_POST_LIMIT: int(30, 1),
  /** Open live-update streams (task pages) per sign-in, per person and in all of this process. */
  LIVE_STREAMS_PER_SESSION: optionalInt(1),
  LIVE_STREAMS_PER_PERSON: optionalInt(1),
  LIVE_STREAMS_TOTAL: optionalInt(1),
  /** A web sign-in unused this long ends (the cookie's lifetime is SESSION_TTL_MS at most). */
  SESSION_IDLE_MS: optionalInt(60_000),
  /** An API token issued without `expiresInDays` expires this many days after it was issued; unset: never. */
  API_TOKEN_DEFAULT_EXPIRY_DAYS: z.coerce.number().int().min(1).max(3_650).optional(),
  RETENTION_DAYS: optionalInt(0),
  RETENTION_SWEEP_INTERVAL_MS: optionalInt(1_000),
  /** Which product manager the pool runs: the deterministic rule-based one, or a model (docs/agent.md "LLM agent"). */
  AGENT: z.enum(['rule-based', 'llm']).default('rule-based'),
  /** The OpenAI-compatible API root (…/v1); required with AGENT=llm. */
  LLM_BASE_URL: z
    .url({ protocol: /^https?$/ })
    // The URL appears in logs, /ready and failure reasons: credentials belong in LLM_API_KEY.
    .refine((value) => {
      const url = new URL(value);
      return url.username === '' && url.password === '' && url.search === '';
    }, 'must not carry credentials or a query string (put the key in LLM_API_KEY)')
    .optional(),
  LLM_MODEL: z.string().trim().min(1).optional(),
  /** A secret: never logged, never in an error (endpoints without keys, like Ollama, need none). */
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: optionalInt(100),
  LLM_MAX_CONCURRENCY: optionalInt(1),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).optional(),
  LLM_MAX_RETRIES: optionalInt(0),
  LLM_STRICT_SCHEMA: z
    .enum(['true', 'false', '1', '0'])
    .transform((value) => value === 'true' || value === '1')
    .optional(),
  LLM_BREAKER_FAILURES: optionalInt(1),
  LLM_BREAKER_COOLDOWN_MS: optionalInt(100),
});

export type Config = z.output<typeof configSchema>;

/**
 * This file and what it imports stay erasable TypeScript (no parameter properties, enums or
 * decorators): `npm start` checks the environment with it before any build (scripts/prestart.js).
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(Object.keys(configSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    // Values are not echoed: some variables hold credentials.
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const [variable, ...within] = issue.path.map(String);
        return `${variable ?? '(environment)'}: ${within.length ? `entry ${Number(within[0]) + 1}: ` : ''}${issue.message}`;
      }),
    );
  }
  const agentProblems = agentConfigProblems(parsed.data);
  if (agentProblems.length > 0) throw new ConfigError(agentProblems);
  const workerProblems = workerConfigProblems(parsed.data);
  if (workerProblems.length > 0) throw new ConfigError(workerProblems);
  return parsed.data;
}

/** A lease no longer than the heartbeat would mark a healthy process gone between two heartbeats. */
export function workerConfigProblems(config: Pick<Config, 'WORKER_HEARTBEAT_MS' | 'WORKER_LEASE_MS'>): string[] {
  if (config.WORKER_LEASE_MS > config.WORKER_HEARTBEAT_MS) return [];
  return [`WORKER_LEASE_MS: must be greater than WORKER_HEARTBEAT_MS (${config.WORKER_HEARTBEAT_MS}); a few heartbeats long, e.g. 3 × WORKER_HEARTBEAT_MS`];
}

/** AGENT=llm needs an endpoint and a model; nothing else is required (the key is optional, for local servers). */
function agentConfigProblems(config: Config): string[] {
  if (config.AGENT !== 'llm') return [];
  return [
    ...(config.LLM_BASE_URL
      ? []
      : ['LLM_BASE_URL: required when AGENT=llm (the OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://localhost:11434/v1)']),
    ...(config.LLM_MODEL ? [] : ['LLM_MODEL: required when AGENT=llm (the model name the endpoint knows, e.g. gpt-4o-mini or llama3.1)']),
  ];
}

/**
 * What the service (not `refinery migrate`) needs besides valid values: processes that share a
 * database must verify each other's links, so the secret is configured, not generated.
 */
export function assertServiceConfig(config: Config): void {
  if (config.DATABASE_URL && !config.LINK_SECRET) {
    throw new ConfigError(['LINK_SECRET: required when DATABASE_URL is set (32+ random characters, the same in every process)']);
  }
}
