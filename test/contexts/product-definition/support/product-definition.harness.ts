import { z } from 'zod';
import { SyncRequestOnTaskSnapshot } from '../../../../src/contexts/product-definition/application/sync-request-on-task-snapshot/sync-request-on-task-snapshot.handler';
import { TaskPollingService } from '../../../../src/contexts/product-definition/application/task-polling/task-polling.service';
import { productDefinitionContracts } from '../../../../src/contexts/product-definition/contracts';
import type {
  AgentAvailability,
  Assessment,
  AssessmentInput,
  ProductManagerAgent,
} from '../../../../src/contexts/product-definition/domain/product-manager-agent';
import { postgresProductDefinitionRepositories } from '../../../../src/contexts/product-definition/infrastructure/persistence/postgres-repositories';
import { type ProductDefinitionOptions, productDefinitionOptions } from '../../../../src/contexts/product-definition/product-definition.options';
import { type TaskSnapshot, TaskStatusChanged, taskManagementContracts } from '../../../../src/contexts/task-management/contracts';
import type { Clock } from '../../../../src/shared/kernel/clock';
import { silentLogger } from '../../../../src/shared/logging/logger';
import { ContractRegistry, type MessageContract, message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { UnitOfWork } from '../../../../src/shared/persistence/unit-of-work';
import { openTestDatabase } from '../../../support/database';

/** Starting PGlite and migrating takes seconds, more when other suites share the CPU. */
export const DATABASE_START_MS = 60_000;

export class FakeClock implements Clock {
  constructor(private current = new Date('2026-01-01T10:00:00Z')) {}
  now(): Date {
    return this.current;
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** An agent whose answer the test decides; it records every request it was asked to assess. */
export class ScriptedAgent implements ProductManagerAgent {
  readonly kind = 'rule-based';
  readonly calls: AssessmentInput[] = [];
  /** What `availability()` answers; a test pauses the agent by setting it. */
  state: AgentAvailability = { state: 'available' };
  availabilityChecks = 0;
  constructor(private readonly script: (input: AssessmentInput) => Assessment | Promise<Assessment>) {}
  availability(): AgentAvailability {
    this.availabilityChecks += 1;
    return this.state;
  }
  async assess(input: AssessmentInput): Promise<Assessment> {
    this.calls.push(input);
    return this.script(input);
  }
}

const workItemRow = z.object({
  task_version: z.number(),
  status: z.string(),
  priority_rank: z.number(),
  lease_owner: z.string().nullable(),
  attempts: z.number(),
});

export interface Harness {
  readonly db: Database;
  readonly clock: FakeClock;
  readonly unitOfWork: UnitOfWork;
  readonly handler: SyncRequestOnTaskSnapshot;
  readonly kicks: { count: number };
  poller(agent: ProductManagerAgent, options?: Partial<ProductDefinitionOptions>): TaskPollingService;
  /** Delivers the snapshot as a task event (status-changed unless told otherwise); returns the envelope. */
  deliver(snapshot: TaskSnapshot, contract?: MessageContract): Promise<Envelope>;
  outbox(taskId: string): Promise<Envelope[]>;
  workItems(taskId: string): Promise<Array<z.infer<typeof workItemRow>>>;
  /** Ends every unfinished item, so a test's poller sees only the items the test creates. */
  clearWork(): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<Harness> {
  const db = await openTestDatabase();
  const clock = new FakeClock();
  const registry = new ContractRegistry().register(...taskManagementContracts, ...productDefinitionContracts);
  const unitOfWork = new UnitOfWork(db.dataSource, registry, clock);
  const kicks = { count: 0 };
  const handler = new SyncRequestOnTaskSnapshot(unitOfWork, postgresProductDefinitionRepositories, { kick: () => (kicks.count += 1) });
  return {
    db,
    clock,
    unitOfWork,
    handler,
    kicks,
    poller: (agent, options = {}) =>
      new TaskPollingService(unitOfWork, postgresProductDefinitionRepositories, agent, productDefinitionOptions(options), silentLogger()),
    async deliver(snapshot, contract = TaskStatusChanged) {
      const envelope = createEnvelope(message(contract, snapshot.taskId, snapshot));
      await handler.handle(envelope);
      return envelope;
    },
    async outbox(taskId) {
      const rows: unknown = await db.dataSource.query(`SELECT envelope FROM messaging.outbox WHERE message_key = $1 ORDER BY id`, [taskId]);
      return z
        .array(z.object({ envelope: z.custom<Envelope>() }))
        .parse(rows)
        .map((row) => row.envelope);
    },
    async workItems(taskId) {
      const rows: unknown = await db.dataSource.query(
        `SELECT task_version, status, priority_rank, lease_owner, attempts FROM product_definition.work_items WHERE task_id = $1 ORDER BY task_version`,
        [taskId],
      );
      return z.array(workItemRow).parse(rows);
    },
    async clearWork() {
      await db.dataSource.query(`UPDATE product_definition.work_items SET status = 'cancelled' WHERE status IN ('pending', 'leased')`);
    },
    close: () => db.close(),
  };
}
