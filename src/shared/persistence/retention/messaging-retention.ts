import type { DataSource } from 'typeorm';
import { Alarm } from '../../kernel/alarm';
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

export interface Purged {
  readonly outbox: number;
  readonly inbox: number;
}

/**
 * Keeps the shared outbox and inbox from growing without end. Only rows whose job is done go:
 * outbox rows the transport confirmed, and inbox records older than any redelivery or re-drive
 * could be (re-drives repeat a message within minutes; the default keeps a week). Unsent and
 * abandoned outbox rows stay whatever their age: they still need the relay or an operator.
 * Several processes may sweep at once: SKIP LOCKED lets them share the rows instead of waiting.
 */
export class MessagingRetention {
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly alarm = new Alarm();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    if (this.running || this.options.keepForMs === 0) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.alarm.ring();
    await this.loop;
  }

  /** Deletes everything past retention, a batch per statement, and says how much went. */
  async purgeOnce(): Promise<Purged> {
    if (this.options.keepForMs === 0) return { outbox: 0, inbox: 0 };
    const before = new Date(this.clock.now().getTime() - this.options.keepForMs);
    const outbox = await this.drain(
      `DELETE FROM messaging.outbox WHERE id IN (
         SELECT id FROM messaging.outbox WHERE sent_at IS NOT NULL AND sent_at < $1 ORDER BY sent_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      before,
    );
    const inbox = await this.drain(
      `DELETE FROM messaging.inbox WHERE (consumer, message_id) IN (
         SELECT consumer, message_id FROM messaging.inbox WHERE handled_at < $1 ORDER BY handled_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      before,
    );
    return { outbox, inbox };
  }

  private async drain(sql: string, before: Date): Promise<number> {
    let total = 0;
    // Stops at a short batch, or when asked to stop: shutdown never waits for a long backlog.
    for (;;) {
      const { affected } = await execute(this.dataSource.manager, sql, [before, this.options.batchSize]);
      total += affected;
      if (affected < this.options.batchSize || this.stopping) return total;
    }
  }

  // Sleeps first: start-up has enough to do, and nothing is urgent about deleting old rows.
  private async run(): Promise<void> {
    for (;;) {
      await this.alarm.sleep(this.options.intervalMs);
      if (!this.running) return;
      try {
        const purged = await this.purgeOnce();
        if (purged.outbox + purged.inbox > 0) this.logger.info({ ...purged, keepForMs: this.options.keepForMs }, 'retention: deleted old outbox and inbox rows');
      } catch (error) {
        this.logger.error({ err: error }, 'retention sweep failed; the next sweep tries again');
      }
    }
  }
}
