import { z } from 'zod';
import { WEBHOOK_HOST_PATTERN } from './application/channel-preferences/webhook-hosts';
import { ROLES } from './domain/user';

export const configuredUserSchema = z
  .object({
    id: z.string().min(1).max(200),
    name: z.string().min(1),
    roles: z.array(z.enum(ROLES)).min(1),
    /** A bearer token; kept only as a sha256 once loaded, never logged. */
    token: z.string().min(8).optional(),
    /** Or only the token's sha256 (64 hex digits), so the token itself is never in configuration. */
    tokenSha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
      .transform((hex) => hex.toLowerCase())
      .optional(),
  })
  .refine((user) => (user.token === undefined) !== (user.tokenSha256 === undefined), { message: 'give exactly one of token or tokenSha256', path: ['token'] });
export type ConfiguredUser = z.infer<typeof configuredUserSchema>;

export const humanInteractionOptionsSchema = z
  .object({
    users: z.array(configuredUserSchema).refine((users) => new Set(users.map((u) => u.id)).size === users.length, 'user ids must be unique'),
    /** Who receives alerts (stalled and failed tasks), by user id; absent: every admin. */
    alertRecipients: z.array(z.string().min(1)).min(1).optional(),
    /** A context of the workflow with no live worker (by the worker registry) this long raises an alert; 0: never. */
    noWorkerAlertAfterMs: z.number().int().nonnegative().default(60_000),
    /** The contexts the workflow needs a live worker for. */
    workflowContexts: z.array(z.string().min(1)).min(1).default(['human-interaction', 'task-management', 'orchestration', 'product-definition']),
    /** A submission task management has not confirmed after this long is sent again. */
    resendUnconfirmedAfterMs: z.number().int().positive().default(60_000),
    /** How often to look for such submissions; 0 turns the sweep off. */
    resendSweepIntervalMs: z.number().int().nonnegative().default(30_000),
    /** Four-eyes: the requester of a task may not approve or reject it, nor be picked as its approver (on by default). */
    approvalFourEyes: z.boolean().default(true),
    /** Signs action links and web sessions (keys are derived per purpose); from configuration only. */
    linkSecret: z.string().min(32),
    /** The address people reach the service at, for links in email and webhooks; the listening address when absent. */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** An action link stops working this long after its notification was created. */
    linkTtlMs: z
      .number()
      .int()
      .positive()
      .default(72 * 3_600_000),
    /** A token issued without an expiry of its own expires this many days after it was issued; absent: never. */
    apiTokenDefaultExpiryDays: z.number().int().positive().max(3_650).optional(),
    /** A web inbox sign-in lasts this long. */
    sessionTtlMs: z
      .number()
      .int()
      .positive()
      .default(12 * 3_600_000),
    /** A web inbox sign-in not used for this long ends (each page or form use renews it). */
    sessionIdleMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000),
    /** Open live-update streams (task pages) allowed per sign-in, per person and in all of this process; 429 beyond. */
    liveStreams: z
      .object({
        perSession: z.number().int().positive().default(5),
        perPerson: z.number().int().positive().default(20),
        total: z.number().int().positive().default(1_000),
      })
      .prefault({}),
    /** `Idempotency-Key` on the /api POSTs that create or decide: how long a key's first answer is replayed, and how long a request waits for another with its key. */
    idempotency: z
      .object({
        ttlMs: z
          .number()
          .int()
          .positive()
          .default(24 * 3_600_000),
        waitMs: z.number().int().positive().default(10_000),
      })
      .prefault({}),
    /** Email goes out over SMTP when configured; without it, nobody can choose the email channel. */
    smtp: z.object({ url: z.string().min(1), from: z.string().min(3).default('Refinery <refinery@localhost>') }).optional(),
    /** Webhook bodies are signed with it (HMAC-SHA256); without it, nobody can choose the webhook channel. */
    webhookSecret: z.string().min(16).optional(),
    /** The only hosts webhooks may go to (`*.example.com` for any host under it); absent: any host. */
    webhookAllowedHosts: z.array(z.string().regex(WEBHOOK_HOST_PATTERN, 'must be a host name, *.domain, or [IPv6]')).min(1).optional(),
    /** Ports besides 80 and 443 webhooks may go to. */
    webhookAllowedPorts: z.array(z.number().int().min(1).max(65_535)).optional(),
    /** Whether webhooks may go to loopback, private and other non-public addresses (default: refused). */
    webhookAllowInternal: z.boolean().default(false),
    delivery: z
      .object({
        maxAttempts: z.number().int().positive().default(8),
        initialDelayMs: z.number().int().positive().default(2_000),
        maxDelayMs: z.number().int().positive().default(600_000),
        pollIntervalMs: z.number().int().positive().default(1_000),
        timeoutMs: z.number().int().positive().default(10_000),
      })
      .prefault({}),
  })
  .superRefine((options, ctx) => {
    const known = new Set(options.users.map((u) => u.id));
    options.alertRecipients?.forEach((id, i) => {
      if (!known.has(id)) ctx.addIssue({ code: 'custom', path: ['alertRecipients', i], message: `ALERT_RECIPIENTS names ${id}, who is not a configured user` });
    });
  });
/** The options as the context uses them, every default applied. */
export type HumanInteractionOptions = z.output<typeof humanInteractionOptionsSchema>;
/** What `humanInteractionModule` takes: users and linkSecret, and any other option to change. */
export type HumanInteractionOptionsInput = z.input<typeof humanInteractionOptionsSchema>;

/** Parses the options once; a bad value throws, naming the option. */
export function humanInteractionOptions(input: HumanInteractionOptionsInput): HumanInteractionOptions {
  return humanInteractionOptionsSchema.parse(input);
}
