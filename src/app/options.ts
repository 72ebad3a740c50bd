import type { HumanInteractionOptionsInput } from '../contexts/human-interaction/human-interaction.module';
import type { OrchestrationOptionsInput } from '../contexts/orchestration/orchestration.module';
import { productDefinitionOptions, type ProductDefinitionOptionsInput } from '../contexts/product-definition/product-definition.options';
import { orchestrationOptions } from '../contexts/orchestration/orchestration.options';
import { DEFAULT_LLM_AGENT_OPTIONS, slowestAssessmentMs } from '../contexts/product-definition/infrastructure/agent/llm/llm-agent.options';
import type { TaskManagementOptionsInput } from '../contexts/task-management/task-management.options';
import { retryPolicy, type RetryPolicy } from '../shared/kernel/retry';
import type { ReconnectOptions } from '../shared/messaging/rabbitmq/rabbitmq-connection';
import { DEFAULT_RABBITMQ_OPTIONS } from '../shared/messaging/rabbitmq/rabbitmq-message-queue';
import { DEFAULT_POOL_SIZE } from '../shared/persistence/data-source';
import { DEFAULT_OUTBOX_RELAY_OPTIONS, type OutboxRelayOptions } from '../shared/persistence/outbox/outbox-relay';
import { DEFAULT_RETENTION_OPTIONS, type RetentionOptions } from '../shared/persistence/retention/messaging-retention';
import type { Config, ConfiguredUser } from './config';

/**
 * The one place where the environment becomes options. A variable left unset passes `undefined`,
 * and the part it configures applies its own default: each default is written once, beside the
 * option it belongs to (the contexts' option schemas, the relay, retention, the retry policy).
 */

/** The keys whose value is set: spread over a part's defaults, an unset variable keeps the default. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** How a message delivery that failed is retried before it is dead-lettered (both transports). */
export function deliveryRetryPolicyFrom(config: Config): RetryPolicy {
  return retryPolicy(
    definedOnly({
      maxAttempts: config.RETRY_MAX_ATTEMPTS,
      initialDelayMs: config.RETRY_INITIAL_DELAY_MS,
      maxDelayMs: config.RETRY_MAX_DELAY_MS,
      startOverOnceAfterMs: config.RETRY_START_OVER_AFTER_MS,
      waitForPrecedingMs: config.RETRY_WAIT_FOR_PRECEDING_MS,
    }),
  );
}

/** How the RabbitMQ connection retries: start-up waits up to STARTUP_TIMEOUT_MS for the broker (any node of RABBITMQ_URL). */
export function rabbitMqReconnectOptionsFrom(config: Config): ReconnectOptions {
  return { startupTimeoutMs: config.STARTUP_TIMEOUT_MS };
}

export function outboxRelayOptionsFrom(config: Config): OutboxRelayOptions {
  return { ...DEFAULT_OUTBOX_RELAY_OPTIONS, ...definedOnly({ pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS }) };
}

export function retentionOptionsFrom(config: Config): RetentionOptions {
  const keepForMs = config.RETENTION_DAYS === undefined ? undefined : config.RETENTION_DAYS * 24 * 3_600_000;
  return { ...DEFAULT_RETENTION_OPTIONS, ...definedOnly({ keepForMs, intervalMs: config.RETENTION_SWEEP_INTERVAL_MS }) };
}

export function taskManagementOptionsFrom(_config: Config): TaskManagementOptionsInput {
  return {};
}

export function orchestrationOptionsFrom(config: Config): OrchestrationOptionsInput {
  return {
    scanIntervalMs: config.SCAN_INTERVAL_MS,
    redriveAfterMs: config.REDRIVE_AFTER_MS,
    republishIdleMs: config.REPUBLISH_IDLE_MS,
    republishFinishedForMs: config.REPUBLISH_FINISHED_FOR_MS,
    stalledAfterMs: {
      NEW: config.STALLED_NEW_MS,
      REQUEST_VALIDATION: config.STALLED_REQUEST_VALIDATION_MS,
      CLARIFICATION_NEEDED: config.STALLED_CLARIFICATION_NEEDED_MS,
      PRD_VALIDATION: config.STALLED_PRD_VALIDATION_MS,
    },
  };
}

/**
 * With AGENT=llm and no LEASE_MS, the lease outlasts the slowest assessment the LLM settings allow
 * (at the defaults 480 s), so no item is taken over while its poller still waits on the model.
 */
function defaultLeaseMs(config: Config): number | undefined {
  if (config.AGENT !== 'llm') return undefined;
  return slowestAssessmentMs({
    maxRetries: config.LLM_MAX_RETRIES ?? DEFAULT_LLM_AGENT_OPTIONS.maxRetries,
    timeoutMs: config.LLM_TIMEOUT_MS ?? DEFAULT_LLM_AGENT_OPTIONS.timeoutMs,
    retryMaxDelayMs: DEFAULT_LLM_AGENT_OPTIONS.retryMaxDelayMs,
    maxRetryAfterWaitMs: DEFAULT_LLM_AGENT_OPTIONS.maxRetryAfterWaitMs,
  });
}

export function productDefinitionOptionsFrom(config: Config): ProductDefinitionOptionsInput {
  return {
    pollerCount: config.POLLERS,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    leaseMs: config.LEASE_MS ?? defaultLeaseMs(config),
    maxAttempts: config.AGENT_MAX_ATTEMPTS,
    maxClarificationRounds: config.MAX_CLARIFICATION_ROUNDS,
  };
}

/** `linkSecret`: LINK_SECRET, or the demo's own from main.ts when it is not configured. */
export function humanInteractionOptionsFrom(config: Config, users: readonly ConfiguredUser[], linkSecret: string | undefined): HumanInteractionOptionsInput {
  const secret = config.LINK_SECRET ?? linkSecret;
  if (!secret) throw new Error('LINK_SECRET is not set: action links and web sign-ins need a secret of 32+ characters');
  return {
    users: users.map((u) => ({ ...u, roles: [...u.roles] })),
    alertRecipients: config.ALERT_RECIPIENTS,
    noWorkerAlertAfterMs: config.NO_WORKER_ALERT_AFTER_MS,
    resendUnconfirmedAfterMs: config.RESEND_UNCONFIRMED_AFTER_MS,
    resendSweepIntervalMs: config.RESEND_SWEEP_INTERVAL_MS,
    approvalFourEyes: config.APPROVAL_FOUR_EYES,
    linkSecret: secret,
    publicUrl: config.PUBLIC_URL,
    linkTtlMs: config.LINK_TTL_MS,
    sessionTtlMs: config.SESSION_TTL_MS,
    sessionIdleMs: config.SESSION_IDLE_MS,
    apiTokenDefaultExpiryDays: config.API_TOKEN_DEFAULT_EXPIRY_DAYS,
    liveStreams: { perSession: config.LIVE_STREAMS_PER_SESSION, perPerson: config.LIVE_STREAMS_PER_PERSON, total: config.LIVE_STREAMS_TOTAL },
    idempotency: { ttlMs: config.IDEMPOTENCY_KEY_TTL_MS, waitMs: config.IDEMPOTENCY_KEY_WAIT_MS },
    smtp: config.SMTP_URL ? { url: config.SMTP_URL, from: config.SMTP_FROM } : undefined,
    webhookSecret: config.WEBHOOK_SECRET,
    webhookAllowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
    webhookAllowedPorts: config.WEBHOOK_ALLOWED_PORTS,
    webhookAllowInternal: config.WEBHOOK_ALLOW_INTERNAL,
    delivery: {
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      initialDelayMs: config.DELIVERY_INITIAL_DELAY_MS,
      maxDelayMs: config.DELIVERY_MAX_DELAY_MS,
      pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
      timeoutMs: config.DELIVERY_TIMEOUT_MS,
    },
  };
}

/** What some tunable variables amount to, defaults applied: for reports next to figures (no URLs, no secrets). */
export function effectiveSettings(config: Config): Record<string, string> {
  const productDefinition = productDefinitionOptions(productDefinitionOptionsFrom(config));
  const orchestration = orchestrationOptions(orchestrationOptionsFrom(config));
  const values: Record<string, string | number> = {
    LOG_LEVEL: config.LOG_LEVEL,
    RABBITMQ_QUEUE_TYPE: config.RABBITMQ_QUEUE_TYPE ?? DEFAULT_RABBITMQ_OPTIONS.queueType,
    RABBITMQ_PREFETCH: config.RABBITMQ_PREFETCH ?? DEFAULT_RABBITMQ_OPTIONS.prefetch,
    POLLERS: productDefinition.pollerCount,
    POLL_INTERVAL_MS: productDefinition.pollIntervalMs,
    OUTBOX_POLL_INTERVAL_MS: outboxRelayOptionsFrom(config).pollIntervalMs,
    SCAN_INTERVAL_MS: orchestration.scanIntervalMs,
    REDRIVE_AFTER_MS: orchestration.redriveAfterMs,
    REPUBLISH_IDLE_MS: orchestration.republishIdleMs,
    DATABASE_POOL_SIZE: config.DATABASE_POOL_SIZE ?? DEFAULT_POOL_SIZE,
  };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
}
