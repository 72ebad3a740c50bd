import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../src/shared/persistence/sql';
import { eventually } from '../../support/eventually';

const counted = z.object({ key: z.string(), n: z.coerce.number() });
const pair = z.object({ key: z.string(), n: z.coerce.number(), tasks: z.coerce.number() });
const one = z.object({ n: z.coerce.number() });

async function countsBy(manager: EntityManager, sql: string): Promise<Record<string, number>> {
  const { rows } = await execute(manager, sql);
  return Object.fromEntries(rows.map((row) => counted.parse(row)).map(({ key, n }) => [key, n]));
}

async function scalar(manager: EntityManager, sql: string): Promise<number> {
  return one.parse((await execute(manager, sql)).rows[0]).n;
}

/** What the service's own tables say happened, read straight from PostgreSQL. */
export class WorkflowLedger {
  constructor(private readonly manager: EntityManager) {}

  statuses(): Promise<Record<string, number>> {
    return countsBy(this.manager, `SELECT status AS key, count(*) AS n FROM task_management.tasks GROUP BY status`);
  }

  /** How many tasks took each path, e.g. {"NEW>REQUEST_VALIDATION>PRD_VALIDATION>APPROVED": 200}. */
  paths(): Promise<Record<string, number>> {
    return countsBy(
      this.manager,
      `SELECT path AS key, count(*) AS n FROM (
         SELECT string_agg(to_status, '>' ORDER BY version) AS path FROM task_management.task_transitions GROUP BY task_id
       ) p GROUP BY path`,
    );
  }

  transitions(): Promise<number> {
    return scalar(this.manager, `SELECT count(*) AS n FROM task_management.task_transitions`);
  }

  /** PRD versions stored per task: {"1": 200} when every task has exactly one. */
  prdsPerTask(): Promise<Record<string, number>> {
    return countsBy(
      this.manager,
      `SELECT per_task::text AS key, count(*) AS n FROM (SELECT count(*) AS per_task FROM product_definition.prds GROUP BY task_id) p GROUP BY per_task`,
    );
  }

  prds(): Promise<number> {
    return scalar(this.manager, `SELECT count(*) AS n FROM product_definition.prds`);
  }

  /** Notifications by kind: how many, and for how many distinct tasks. */
  async notifications(): Promise<Record<string, { n: number; tasks: number }>> {
    const { rows } = await execute(
      this.manager,
      `SELECT kind AS key, count(*) AS n, count(DISTINCT task_id) AS tasks FROM human_interaction.notifications GROUP BY kind`,
    );
    return Object.fromEntries(rows.map((row) => pair.parse(row)).map(({ key, n, tasks }) => [key, { n, tasks }]));
  }

  outboxRows(): Promise<number> {
    return scalar(this.manager, `SELECT count(*) AS n FROM messaging.outbox`);
  }

  unsentOutboxRows(): Promise<number> {
    return scalar(this.manager, `SELECT count(*) AS n FROM messaging.outbox WHERE sent_at IS NULL`);
  }

  /** Rows whose first publish failed (broker down, confirm lost) and that the relay sent again. */
  resentOutboxRows(): Promise<number> {
    return scalar(this.manager, `SELECT count(*) AS n FROM messaging.outbox WHERE attempts > 0`);
  }

  inboxRows(): Promise<number> {
    return scalar(this.manager, `SELECT count(*) AS n FROM messaging.inbox`);
  }

  /** Waits until `workflows` tasks are APPROVED with their approval notified and the outbox is empty, or the deadline. */
  async allCompleted(workflows: number, deadline: number, intervalMs = 100): Promise<void> {
    await eventually(
      async () => {
        expect((await this.statuses())['APPROVED']).toBe(workflows);
        expect((await this.notifications())['task-approved']?.tasks).toBe(workflows);
        expect(await this.unsentOutboxRows()).toBe(0);
      },
      { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs },
    );
  }

  /** For a failure message: where the unfinished workflows stand, and what the outbox holds. */
  async diagnostic(): Promise<string> {
    const unsent = await countsBy(
      this.manager,
      `SELECT coalesce(type || ': ' || left(last_error, 120), type) AS key, count(*) AS n FROM messaging.outbox WHERE sent_at IS NULL GROUP BY 1`,
    );
    return JSON.stringify({ statuses: await this.statuses(), paths: await this.paths(), notifications: await this.notifications(), unsent });
  }
}
