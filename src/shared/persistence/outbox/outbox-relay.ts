import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Alarm } from '../../kernel/alarm';
import type { Logger } from '../../logging/logger';
import type { Envelope } from '../../messaging/envelope';
import { describeError, isRetryable } from '../../kernel/errors';
import type { MessageQueue } from '../../messaging/message-queue';
import { execute } from '../sql';

const outboxRow = z.object({ id: z.coerce.string(), envelope: z.record(z.string(), z.unknown()) });

export interface OutboxRelayOptions {
  readonly batchSize: number;
  /** How often to look for unsent rows when nothing kicked the relay (rows of other processes). */
  readonly pollIntervalMs: number;
}

/**
 * Publishes committed outbox rows and marks them sent. Rows are locked with SKIP LOCKED, so
 * several relays (one per process) never publish the same row at once. A row is marked sent only
 * after the transport confirmed it; a crash in between publishes it again (consumers dedupe).
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly alarm = new Alarm();
  private kicked = false;
  /** Passes in a row that published nothing and failed: the transport is likely down. */
  private failedPasses = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: MessageQueue,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = { batchSize: 200, pollIntervalMs: 500 },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ask for a pass now (after a commit that wrote outbox rows). */
  kick(): void {
    this.kicked = true;
    // While the transport fails the relay backs off and kicks do not wake it: every commit would
    // otherwise start another pass of publishes bound to fail (thousands during a broker restart).
    if (this.failedPasses === 0) this.alarm.ring();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.alarm.ring();
    await this.loop;
  }

  /** One batch; returns how many rows were published. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const { rows } = await execute(
        manager,
        `SELECT id, envelope FROM messaging.outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) {
        this.failedPasses = 0;
        return 0;
      }
      const batch = rows.map((row) => outboxRow.parse(row));
      // Published together, awaited together: confirms come back as a batch. The transport keeps
      // publish order, except that a row that fails is sent again after later rows succeeded:
      // consumers order by task version, not by arrival.
      const results = await Promise.allSettled(batch.map((row) => this.publish(row.envelope as unknown as Envelope)));
      const sent = batch.filter((_, i) => results[i]?.status === 'fulfilled').map((row) => row.id);
      const retryableFailures = results.filter((r) => r.status === 'rejected' && isRetryable(r.reason)).length;
      this.failedPasses = sent.length === 0 && retryableFailures > 0 ? this.failedPasses + 1 : 0;
      if (sent.length > 0) await execute(manager, `UPDATE messaging.outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [sent]);
      for (const [i, row] of batch.entries()) {
        const result = results[i];
        if (result?.status !== 'rejected') continue;
        const { errorClass, errorMessage } = describeError(result.reason);
        if (!isRetryable(result.reason)) {
          // It can never be published (e.g. its contract is gone): set it aside, or it would
          // stand at the head of every batch forever. It stays in the table with its reason.
          await execute(manager, `UPDATE messaging.outbox SET attempts = attempts + 1, last_error = $2, sent_at = now(), abandoned = true WHERE id = $1`, [row.id, `${errorClass}: ${errorMessage}`]);
          this.logger.error({ outboxId: row.id, messageId: row.envelope['messageId'], correlationId: row.envelope['correlationId'], err: errorMessage }, 'outbox row can never be published; set aside');
          continue;
        }
        await execute(manager, `UPDATE messaging.outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, `${errorClass}: ${errorMessage}`]);
        this.logger.warn({ outboxId: row.id, messageId: row.envelope['messageId'], correlationId: row.envelope['correlationId'], err: errorMessage }, 'outbox publish failed; will retry');
      }
      return sent.length;
    });
  }

  private publish(envelope: Envelope): Promise<void> {
    return envelope.kind === 'command' ? this.queue.publishCommand(envelope) : this.queue.publishEvent(envelope);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        this.kicked = false;
        published = await this.relayOnce();
      } catch (error) {
        this.logger.error({ err: describeError(error).errorMessage }, 'outbox relay pass failed');
      }
      if (!this.running) continue;
      const failing = this.failedPasses > 0;
      if (!failing && (published > 0 || this.kicked)) continue;
      await this.alarm.sleep(failing ? Math.min(this.options.pollIntervalMs * 2 ** Math.min(this.failedPasses - 1, 6), 5_000) : this.options.pollIntervalMs);
    }
  }
}
