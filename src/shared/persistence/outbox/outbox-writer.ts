import type { EntityManager } from 'typeorm';
import type { ContractRegistry } from '../../messaging/contract-registry';
import { createEnvelope, type Envelope, type OutgoingMessage } from '../../messaging/envelope';
import { execute } from '../sql';
import { type TraceCarrier, traceCarrierOf } from '../../tracing/trace-context';

/**
 * Collects the messages a unit of work causes; they are inserted in the same transaction as the
 * state change, so either both commit or neither does (never save-then-publish).
 */
export class OutboxWriter {
  private readonly pending: Envelope[] = [];
  /** Per pending message, the trace context active when it was added: the relay's `send` span continues it. */
  private readonly traces: Array<TraceCarrier | undefined> = [];

  constructor(
    private readonly registry: ContractRegistry,
    private readonly cause: Pick<Envelope, 'messageId' | 'correlationId' | 'key'> | undefined,
    private readonly now: () => Date,
  ) {}

  add(...messages: readonly OutgoingMessage[]): void {
    for (const message of messages) {
      // Correlation follows the task: a message about the same key as its cause continues the
      // cause's correlation; anything else (a person's action, a poller's outcome, a sweep's
      // re-announcement) starts from the key, the task id. So every message of one request
      // carries that request's task id as correlationId, and one filter follows it end to end.
      const correlationId = this.cause && this.cause.key === message.key ? this.cause.correlationId : message.key;
      const envelope = createEnvelope(message, { ...(this.cause ? { causedBy: this.cause } : {}), correlationId, now: this.now() });
      // Validating here makes a contract violation fail the transaction that caused it.
      this.pending.push(this.registry.validate(envelope));
      this.traces.push(traceCarrierOf());
    }
  }

  get messages(): readonly Envelope[] {
    return this.pending;
  }

  async flush(manager: EntityManager): Promise<void> {
    if (this.pending.length === 0) return;
    const values: unknown[] = [];
    const rows = this.pending.map((envelope, i) => {
      const trace = this.traces[i];
      values.push(
        envelope.messageId,
        envelope.kind,
        envelope.type,
        envelope.key,
        JSON.stringify(envelope),
        trace?.traceparent ?? null,
        trace?.tracestate ?? null,
      );
      const b = i * 7;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb, $${b + 6}, $${b + 7})`;
    });
    await execute(
      manager,
      `INSERT INTO messaging.outbox (message_id, kind, type, message_key, envelope, traceparent, tracestate) VALUES ${rows.join(', ')}`,
      values,
    );
    this.pending.length = 0;
    this.traces.length = 0;
  }
}
