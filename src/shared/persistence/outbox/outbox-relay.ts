import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { BackgroundLoop, type Loop, type PassOutcome } from '../../kernel/background-loop';
import type { Logger } from '../../logging/logger';
import type { Envelope } from '../../messaging/envelope';
import { describeError, isRetryable } from '../../kernel/errors';
import type { MessageQueue } from '../../messaging/message-queue';
import { execute } from '../sql';
import { traceCarrierFrom, withTraceCarrier } from '../../tracing/trace-context';

const outboxRow = z.object({
  id: z.coerce.string(),
  envelope: z.record(z.string(), z.unknown()),
  traceparent: z.string().nullish(),
  tracestate: z.string().nullish(),
});

export interface OutboxRelayOptions {
  readonly batchSize: number;
  /** How often to look for unsent rows when nothing kicked the relay (rows of other processes). */
  readonly pollIntervalMs: number;
}

export const DEFAULT_OUTBOX_RELAY_OPTIONS: OutboxRelayOptions = { batchSize: 200, pollIntervalMs: 500 };

/**
 * Publishes committed outbox rows and marks them sent. Rows are locked with SKIP LOCKED, so
 * several relays (one per process) never publish the same row at once. A row is marked sent only
 * after the transport confirmed it; a crash in between publishes it again (consumers dedupe).
 */
export class OutboxRelay {
  /**
   * Kicked after every commit that wrote outbox rows. While the transport fails it backs off and
   * kicks do not wake it: every commit would otherwise start another pass of publishes bound to
   * fail (thousands during a broker restart).
   */
  readonly loop: Loop;
  /** The last pass published nothing and its publishes failed: the transport is likely down. */
  private failing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: MessageQueue,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = DEFAULT_OUTBOX_RELAY_OPTIONS,
  ) {
    this.loop = new BackgroundLoop({ name: 'outbox relay', intervalMs: options.pollIntervalMs, pass: () => this.pass() }, logger);
  }

  /** One batch; returns how many rows were published. */
  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const { rows } = await execute(
        manager,
        `SELECT id, envelope, traceparent, tracestate FROM messaging.outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) {
        this.failing = false;
        return 0;
      }
      const batch = rows.map((row) => outboxRow.parse(row));
      // Published together, awaited together: confirms come back as a batch. The transport keeps
      // publish order, except that a row that fails is sent again after later rows succeeded:
      // consumers order by task version, not by arrival.
      // Each publish continues the trace of the transaction that wrote its row (or starts one).
      const results = await Promise.allSettled(
        batch.map((row) => withTraceCarrier(traceCarrierFrom(row.traceparent, row.tracestate), () => this.publish(row.envelope as unknown as Envelope))),
      );
      const sent = batch.filter((_, i) => results[i]?.status === 'fulfilled').map((row) => row.id);
      const retryableFailures = results.filter((r) => r.status === 'rejected' && isRetryable(r.reason)).length;
      this.failing = sent.length === 0 && retryableFailures > 0;
      if (sent.length > 0) await execute(manager, `UPDATE messaging.outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`, [sent]);
      for (const [i, row] of batch.entries()) {
        const result = results[i];
        if (result?.status !== 'rejected') continue;
        const { errorClass, errorMessage } = describeError(result.reason);
        if (!isRetryable(result.reason)) {
          // It can never be published (e.g. its contract is gone): set it aside, or it would
          // stand at the head of every batch forever. It stays in the table with its reason.
          await execute(manager, `UPDATE messaging.outbox SET attempts = attempts + 1, last_error = $2, sent_at = now(), abandoned = true WHERE id = $1`, [
            row.id,
            `${errorClass}: ${errorMessage}`,
          ]);
          this.logger.error(
            { outboxId: row.id, messageId: row.envelope['messageId'], correlationId: row.envelope['correlationId'], err: errorMessage },
            'outbox row can never be published; set aside',
          );
          continue;
        }
        await execute(manager, `UPDATE messaging.outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
          row.id,
          `${errorClass}: ${errorMessage}`,
        ]);
        this.logger.warn(
          { outboxId: row.id, messageId: row.envelope['messageId'], correlationId: row.envelope['correlationId'], err: errorMessage },
          'outbox publish failed; will retry',
        );
      }
      return sent.length;
    });
  }

  private publish(envelope: Envelope): Promise<void> {
    return envelope.kind === 'command' ? this.queue.publishCommand(envelope) : this.queue.publishEvent(envelope);
  }

  /** A pass that published looks again at once; one whose every publish failed backs the loop off. */
  private async pass(): Promise<PassOutcome> {
    const published = await this.relayOnce();
    if (this.failing) return 'failed';
    return published > 0 ? 'more' : 'idle';
  }
}
