import type { DataSource } from 'typeorm';
import { BackgroundLoop, type Loop } from '../../kernel/background-loop';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../logging/logger';
import { execute } from '../sql';

export interface RetentionOptions {
  /** Sent outbox rows and inbox rows older than this are deleted; 0 keeps everything. */
  readonly keepForMs: number;
  /** How often to sweep. */
  readonly intervalMs: number;
  /** Rows deleted per statement, so no sweep holds locks on a large table for long. */
  readonly batchSize: number;
}

export const DEFAULT_RETENTION_OPTIONS: RetentionOptions = { keepForMs: 7 * 24 * 3_600_000, intervalMs: 3_600_000, batchSize: 1_000 };

export interface Purged {
  readonly outbox: number;
  readonly inbox: number;
  /** Idempotency keys past their own expiry (`IDEMPOTENCY_KEY_TTL_MS`, stamped on each row). */
  readonly idempotencyKeys: number;
}

/**
 * Keeps the shared outbox and inbox from growing without end. Only rows whose job is done go:
 * outbox rows the transport confirmed, and inbox records older than any redelivery or re-drive
 * could be (re-drives repeat a message within minutes; the default keeps a week); and HTTP
 * idempotency keys past their own expiry, whatever `keepForMs` says. Unsent and
 * abandoned outbox rows stay whatever their age: they still need the relay or an operator.
 * Several processes may sweep at once: SKIP LOCKED lets them share the rows instead of waiting.
 */
export class MessagingRetention {
  /** Sleeps first: start-up has enough to do, and nothing is urgent about deleting old rows. */
  readonly loop: Loop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RetentionOptions = DEFAULT_RETENTION_OPTIONS,
  ) {
    this.loop = new BackgroundLoop(
      // keepForMs 0 keeps everything: the loop never starts.
      { name: 'retention sweep', intervalMs: options.intervalMs, sleepFirst: true, enabled: options.keepForMs > 0, pass: (signal) => this.pass(signal) },
      logger,
    );
  }

  /** Deletes everything past retention, a batch per statement, and says how much went. */
  async purgeOnce(signal?: AbortSignal): Promise<Purged> {
    if (this.options.keepForMs === 0) return { outbox: 0, inbox: 0, idempotencyKeys: 0 };
    const now = this.clock.now();
    const before = new Date(this.clock.now().getTime() - this.options.keepForMs);
    const outbox = await this.drain(
      `DELETE FROM messaging.outbox WHERE id IN (
         SELECT id FROM messaging.outbox WHERE sent_at IS NOT NULL AND sent_at < $1 AND NOT abandoned ORDER BY sent_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      before,
      signal,
    );
    const inbox = await this.drain(
      `DELETE FROM messaging.inbox WHERE (consumer, message_id) IN (
         SELECT consumer, message_id FROM messaging.inbox WHERE handled_at < $1 ORDER BY handled_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      before,
      signal,
    );
    // Expired keys are already ignored (a new request claims the key again); this only frees the space.
    const idempotencyKeys = await this.drain(
      `DELETE FROM messaging.idempotency_keys WHERE (user_id, route, idempotency_key) IN (
         SELECT user_id, route, idempotency_key FROM messaging.idempotency_keys WHERE expires_at < $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      now,
      signal,
    );
    return { outbox, inbox, idempotencyKeys };
  }

  private async drain(sql: string, before: Date, signal: AbortSignal | undefined): Promise<number> {
    let total = 0;
    // Stops at a short batch, or when asked to stop: shutdown never waits for a long backlog.
    for (;;) {
      const { affected } = await execute(this.dataSource.manager, sql, [before, this.options.batchSize]);
      total += affected;
      if (affected < this.options.batchSize || signal?.aborted) return total;
    }
  }

  private async pass(signal: AbortSignal): Promise<'idle'> {
    const purged = await this.purgeOnce(signal);
    if (purged.outbox + purged.inbox + purged.idempotencyKeys > 0)
      this.logger.info({ ...purged, keepForMs: this.options.keepForMs }, 'retention: deleted old outbox and inbox rows and expired idempotency keys');
    return 'idle';
  }
}
