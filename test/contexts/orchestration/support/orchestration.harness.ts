import { Writable } from 'node:stream';
import pino from 'pino';
import { humanInteractionContracts } from '../../../../src/contexts/human-interaction/contracts';
import { ProjectTaskOnTaskEvent } from '../../../../src/contexts/orchestration/application/project-task-on-task-event.handler';
import { TaskDriver } from '../../../../src/contexts/orchestration/application/task-driver';
import { TaskScanningService } from '../../../../src/contexts/orchestration/application/task-scanning.service';
import { orchestrationContracts } from '../../../../src/contexts/orchestration/contracts';
import { postgresOrchestrationRepositories } from '../../../../src/contexts/orchestration/infrastructure/persistence/postgres-repositories';
import {
  DEFAULT_ORCHESTRATION_OPTIONS,
  type OrchestrationOptions,
  orchestrationOptions,
  type OrchestrationOptionsInput,
} from '../../../../src/contexts/orchestration/orchestration.options';
import { productDefinitionContracts } from '../../../../src/contexts/product-definition/contracts';
import { TaskCreated, taskManagementContracts, TaskSnapshotPublished, TaskStatusChanged } from '../../../../src/contexts/task-management/contracts';
import type { Logger } from '../../../../src/shared/logging/logger';
import { ContractRegistry, message } from '../../../../src/shared/messaging/contract-registry';
import { createEnvelope, type Envelope } from '../../../../src/shared/messaging/envelope';
import type { Database } from '../../../../src/shared/persistence/data-source';
import { UnitOfWork } from '../../../../src/shared/persistence/unit-of-work';
import type { TaskStory } from '../../../support/task-story';

export const T0 = new Date('2026-01-05T09:00:00.000Z');

export class FakeClock {
  private current = T0;
  now = (): Date => this.current;
  set(date: Date): void {
    this.current = date;
  }
  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.current;
  }
}

export function contractRegistry(): ContractRegistry {
  return new ContractRegistry().register(...taskManagementContracts, ...humanInteractionContracts, ...productDefinitionContracts, ...orchestrationContracts);
}

/** A logger whose JSON lines the test can read. */
export function recordingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  const lines = () =>
    chunks.flatMap((chunk) =>
      chunk
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
  return { logger, lines };
}

/** Orchestration wired by hand on a test database, with a clock the test moves. */
export class OrchestrationHarness {
  readonly clock = new FakeClock();
  readonly log = recordingLogger();
  readonly unitOfWork: UnitOfWork;
  readonly repositories = postgresOrchestrationRepositories;
  readonly handler: ProjectTaskOnTaskEvent;
  readonly scanner: TaskScanningService;

  constructor(
    readonly db: Database,
    readonly options: OrchestrationOptions = DEFAULT_ORCHESTRATION_OPTIONS,
  ) {
    this.unitOfWork = new UnitOfWork(db.dataSource, contractRegistry(), this.clock);
    this.handler = new ProjectTaskOnTaskEvent(this.unitOfWork, this.repositories, this.driver(), this.clock);
    this.scanner = this.scannerWith(options);
  }

  driver(options: OrchestrationOptions = this.options): TaskDriver {
    return new TaskDriver(this.repositories, options, this.log.logger);
  }

  scannerWith(input: OrchestrationOptionsInput): TaskScanningService {
    const options = orchestrationOptions(input);
    return new TaskScanningService(this.unitOfWork, this.repositories, this.driver(options), this.clock, options, this.log.logger);
  }

  async reset(): Promise<void> {
    this.clock.set(T0);
    await this.db.dataSource.query(`TRUNCATE orchestration.task_projection, messaging.outbox, messaging.inbox`);
  }

  /** Delivers a task event carrying the story's current snapshot; returns the envelope. */
  async deliver(story: TaskStory, kind: 'created' | 'changed' | 'republished' = 'changed'): Promise<Envelope> {
    const contract = { created: TaskCreated, changed: TaskStatusChanged, republished: TaskSnapshotPublished }[kind];
    const event = createEnvelope(message(contract, story.taskId, story.snapshot()));
    await this.handler.handle(event);
    return event;
  }

  async redeliver(event: Envelope): Promise<void> {
    await this.handler.handle(event);
  }

  /** Outgoing messages in the order they were written, optionally only those of one type. */
  async sent(type?: string): Promise<Envelope[]> {
    const rows: Array<{ envelope: Envelope }> = await this.db.dataSource.query(
      `SELECT envelope FROM messaging.outbox WHERE $1::text IS NULL OR type = $1 ORDER BY id`,
      [type ?? null],
    );
    return rows.map((row) => row.envelope);
  }

  async sentFor(taskId: string): Promise<Envelope[]> {
    const rows: Array<{ envelope: Envelope }> = await this.db.dataSource.query(`SELECT envelope FROM messaging.outbox WHERE message_key = $1 ORDER BY id`, [
      taskId,
    ]);
    return rows.map((row) => row.envelope);
  }

  async projectionOf(taskId: string): Promise<Array<Record<string, unknown>>> {
    return this.db.dataSource.query(`SELECT * FROM orchestration.task_projection WHERE task_id = $1`, [taskId]);
  }
}
