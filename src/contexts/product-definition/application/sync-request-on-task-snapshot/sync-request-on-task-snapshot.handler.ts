import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { NonRetryableError } from '../../../../shared/kernel/errors';
import type { Transaction, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import {
  PRODUCT_MANAGER_POOL,
  TASK_EVENT_TYPES,
  TaskSnapshotPublished,
  taskSnapshotSchema,
  TERMINAL_STATUSES,
  type TaskSnapshot,
} from '../../../task-management/contracts';
import { PRODUCT_DEFINITION } from '../../product-definition.tokens';
import { prdDraftedMessage } from '../messages';
import type { ProductDefinitionRepositories, ProductDefinitionRepositoryFactory, WorkSignal } from '../repositories';
import { requestFromSnapshot } from './request-from-snapshot';

/**
 * Keeps this context's copy of each request and re-derives what it owes for the task's version.
 * Every task event carries the whole task, so this one reaction serves a first delivery, a
 * duplicate, a re-publication and a late (older) event alike: older snapshots are ignored, and a
 * snapshot of the current version re-sends whatever may have been lost.
 */
@injectable()
export class SyncRequestOnTaskSnapshot {
  static readonly consumer = 'product-definition.task-events';
  static readonly types: readonly string[] = TASK_EVENT_TYPES;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(PRODUCT_DEFINITION.Repositories) private readonly repositories: ProductDefinitionRepositoryFactory,
    @inject(PRODUCT_DEFINITION.TaskPollingService) private readonly work: WorkSignal,
  ) {}

  async handle(message: Envelope): Promise<void> {
    if (!SyncRequestOnTaskSnapshot.types.includes(message.type)) {
      throw new NonRetryableError(`${SyncRequestOnTaskSnapshot.consumer} does not handle ${message.type}`);
    }
    const snapshot = taskSnapshotSchema.parse(message.payload);
    // Set inside the transaction; the pollers are kicked only after it committed.
    const outcome = { workWaiting: false };
    await this.unitOfWork.handleOnce(SyncRequestOnTaskSnapshot.consumer, message, async (tx) => {
      const repositories = this.repositories(tx);
      if (!(await repositories.requests.saveIfNotOlder(requestFromSnapshot(snapshot)))) return;
      outcome.workWaiting = await this.deriveOwed(snapshot, tx, repositories, message.type === TaskSnapshotPublished.type);
    });
    if (outcome.workWaiting) this.work.kick();
  }

  /** Returns true when a work item waits for a poller. */
  private async deriveOwed(
    snapshot: TaskSnapshot,
    tx: Transaction,
    { workItems, prds }: ProductDefinitionRepositories,
    reannounced: boolean,
  ): Promise<boolean> {
    const { taskId, version } = snapshot;
    const terminal = TERMINAL_STATUSES.includes(snapshot.status);
    // The PRD the task is at (awaiting a decision, or given one before the task finished) is
    // owed to human interaction whatever the status: the live move followed the PrdDrafted the
    // poller sent with its outcome, so only a re-announcement hints that it may have been lost.
    // Finished tasks included: an approved task whose PRD never arrived is repaired too.
    if (reannounced && snapshot.prdVersion !== null && (terminal || snapshot.status === 'PRD_VALIDATION')) {
      const prd = (await prds.load(taskId)).version(snapshot.prdVersion);
      if (prd) tx.outbox.add(prdDraftedMessage(taskId, prd));
    }
    if (terminal) {
      await workItems.cancelUnfinished(taskId);
      return false;
    }
    // An outcome for an older version would be refused as stale: stop working on it.
    await workItems.supersedeOlder(taskId, version);

    if (snapshot.status === 'PRD_VALIDATION') return false;
    if (snapshot.status !== 'REQUEST_VALIDATION' || snapshot.assignedPool !== PRODUCT_MANAGER_POOL) return false;

    const created = await workItems.ensure({ taskId, taskVersion: version, priority: snapshot.priority, createdAt: tx.now });
    if (created) return true;
    const item = await workItems.find(taskId, version);
    // The task is still where the agent found it: its outcome may have been lost on the way.
    if (item?.status === 'done' && item.outcome) tx.outbox.add(item.outcome);
    return item?.status === 'pending';
  }
}
