import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * W3C trace context (`traceparent`, `tracestate`) kept with work that waits in a table, so the
 * step that picks it up later continues the trace of the step that wrote it: an outbox row (the
 * relay's `send` span), a product-manager work item (the agent call) and a notification delivery.
 * Nullable: rows written without an active trace (or before this migration) start a new trace.
 */
export class TraceContext1732400000800 implements MigrationInterface {
  name = 'TraceContext1732400000800';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['messaging.outbox', 'product_definition.work_items', 'human_interaction.deliveries']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN traceparent text, ADD COLUMN tracestate text`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['messaging.outbox', 'product_definition.work_items', 'human_interaction.deliveries']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN traceparent, DROP COLUMN tracestate`);
    }
  }
}
