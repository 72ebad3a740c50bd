import { inject, injectable, optional } from 'inversify';
import type { Clock } from '../../../../shared/kernel/clock';
import { SHARED } from '../../../../shared/kernel/tokens';
import { envelopeField } from '../../../../shared/messaging/envelope';
import type { DeadLetter, DeadLetterAdmin } from '../../../../shared/messaging/message-queue';
import type { ConsumerQueueDepth, QueueDepthSource } from '../../../../shared/messaging/queue-depths';
import type { TrailMessage } from '../../../../shared/persistence/message-trail';
import type { OutboxBacklog } from '../../../../shared/persistence/outbox/outbox-metrics';
import type { Transaction, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import type { WorkerRecord } from '../../../../shared/workers/worker-record';
import type { TaskStatus, Transition } from '../../../task-management/contracts';
import type { Alert } from '../../domain/alert';
import { ActionConflictError, TaskNotFoundError } from '../../domain/human-interaction.errors';
import { requestRedriveIn } from '../alerts/redrive-from-alert';
import { AGENT_POOL, type PrdDocument, SetAgentPool } from '../../../product-definition/contracts';
import { message } from '../../../../shared/messaging/contract-registry';
import type { TaskView } from '../../domain/task-view';
import { assertIsAdmin, type User } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { DeliveryChannel } from '../channel-preferences/channel-choice';
import type { DeliveryAdmin, DeliverySummary } from '../deliveries-admin/delivery-admin.service';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import type { AgentPoolView, OperatorAction, OpsRepositoryFactory, TaskDelivery } from './ops.repository';

/** A figure read from a part that may be down (the broker for dead letters): its value, or why there is none. */
export type Reading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface OpsOverview {
  readonly tasksByStatus: ReadonlyArray<{ readonly status: TaskStatus; readonly count: number }>;
  readonly deadLetters: Reading<ReadonlyArray<{ readonly consumer: string; readonly count: number }>>;
  /** The queues of the consumers this process subscribed (other processes' are on their /metrics). */
  readonly queues: Reading<readonly ConsumerQueueDepth[]>;
  readonly failedDeliveries: number;
  readonly outbox: OutboxBacklog;
  readonly recentActions: readonly OperatorAction[];
  /** Every registered process: live first, then draining, then gone. */
  readonly workers: readonly WorkerRecord[];
  /** Open stall episodes. */
  readonly stalled: number;
  readonly agentPool: AgentPoolState;
}

/**
 * The agent pool's switch as this context last heard of it (`view` undefined: never switched, so
 * it runs), and the tasks waiting for the agent (in REQUEST_VALIDATION in this context's views).
 */
export interface AgentPoolState {
  readonly pool: string;
  readonly paused: boolean;
  readonly view: AgentPoolView | undefined;
  readonly waitingTasks: number;
}

/** What a pause or resume did: the command is on its way; the switch changes when product definition handled it. */
export interface AgentPoolRequest {
  readonly paused: boolean;
  /** The tasks waiting for the agent when it was asked. */
  readonly waitingTasks: number;
  /** The switch already was so (as this context last heard): the command goes anyway and changes nothing. */
  readonly alreadySo: boolean;
}

/** Everything known about one task, in order: what an operator reads to tell what happened to it. */
export interface TaskTrail {
  readonly task: TaskView;
  readonly transitions: readonly Transition[];
  /** The correlation id of the request that started the task (its first transition's). */
  readonly correlationId: string | null;
  /** The trace ids its messages were written in, first seen first (one when every step was one trace). */
  readonly traceIds: readonly string[];
  readonly messages: readonly TrailMessage[];
  readonly deadLetters: Reading<readonly DeadLetter[]>;
  readonly deliveries: readonly TaskDelivery[];
  /** Each PRD version with who wrote it: the agent, model, prompt, tokens and calls (the agent calls). */
  readonly prds: ReadonlyArray<{ readonly version: number; readonly draftedAt: Date; readonly generatedBy: PrdDocument['generatedBy'] }>;
  readonly actions: readonly OperatorAction[];
}

/** What a bulk action did to what it was shown: `done` of `shown` (the rest were gone by then). */
export interface BulkOutcome {
  readonly done: number;
  readonly shown: number;
}

/** A stall episode still open, with the task it is about as this context sees it now. */
export interface StalledTask {
  readonly alert: Alert;
  readonly task: TaskView | undefined;
}

export interface DeliveryKey {
  readonly notificationId: string;
  readonly channel: DeliveryChannel;
}

const TRAIL_MESSAGES = 500;
const SEARCH_LIMIT = 50;
const RECENT_ACTIONS = 20;
/** At most this many items in one bulk action: the confirmation page lists each of them. */
export const BULK_LIMIT = 200;

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function reading<T>(read: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

/**
 * The /ops console's application service: what operators see (overview, search, a task's trail,
 * dead letters, failed deliveries, the audit log) and what they do (replay or purge dead letters,
 * retry deliveries). Every action touches exactly the items the operator was shown and confirmed,
 * and is written to the audit log with how it ended, whether it worked or not. Admins only.
 */
@injectable()
export class OpsConsole {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.OpsRepositories) private readonly opsRepositories: OpsRepositoryFactory,
    @inject(HUMAN_INTERACTION.DeadLetters) private readonly deadLetterAdmin: DeadLetterAdmin,
    @inject(HUMAN_INTERACTION.DeliveryAdmin) private readonly deliveryAdmin: DeliveryAdmin,
    @inject(SHARED.Clock) private readonly clock: Clock,
    @inject(SHARED.QueueDepths) @optional() private readonly depths?: QueueDepthSource,
  ) {}

  async overview(admin: User): Promise<OpsOverview> {
    assertIsAdmin(admin);
    const [database, deadLetters, queues] = await Promise.all([
      this.unitOfWork.read(async (session) => {
        const { ops, outbox, workers } = this.opsRepositories(session);
        return {
          tasksByStatus: await ops.tasksByStatus(),
          failedDeliveries: await ops.failedDeliveries(),
          outbox: await outbox.backlog(),
          recentActions: await ops.listActions({ limit: RECENT_ACTIONS }),
          workers: await workers.list(),
          stalled: (await this.repositories(session).alerts.listOpen('workflow-stalled', BULK_LIMIT)).length,
          agentPool: await this.poolState(session),
        };
      }),
      reading(async () => countByConsumer(await this.deadLetterAdmin.listDeadLetters())),
      reading(async () => [...((await this.depths?.queueDepths()) ?? [])].sort((a, b) => a.consumer.localeCompare(b.consumer))),
    ]);
    return { ...database, deadLetters, queues };
  }

  /** Every registered process, as the worker registry has it now. */
  async workers(admin: User): Promise<WorkerRecord[]> {
    assertIsAdmin(admin);
    return this.unitOfWork.read((session) => this.opsRepositories(session).workers.list());
  }

  /** Tasks whose id, requester, approver or correlation id is `text`, or whose title contains it. */
  async search(admin: User, text: string): Promise<TaskView[]> {
    assertIsAdmin(admin);
    const query = text.trim();
    if (query === '') return [];
    return this.unitOfWork.read(async (session) => {
      const { ops, messages } = this.opsRepositories(session);
      const taskIds = await messages.keysWithCorrelation(query, SEARCH_LIMIT);
      return ops.searchTasks({ text: query, taskIds }, SEARCH_LIMIT);
    });
  }

  async trail(admin: User, taskId: string): Promise<TaskTrail> {
    assertIsAdmin(admin);
    const stored = await this.unitOfWork.read(async (session) => {
      const { taskViews, prdViews } = this.repositories(session);
      const { ops, messages } = this.opsRepositories(session);
      const task = await taskViews.find(taskId);
      if (!task) throw new TaskNotFoundError(taskId);
      return {
        task,
        prds: await prdViews.list(taskId),
        messages: await messages.messagesAbout(taskId, TRAIL_MESSAGES),
        deliveries: await ops.deliveriesOfTask(taskId),
        actions: await ops.listActions({ taskId, limit: TRAIL_MESSAGES }),
      };
    });
    const deadLetters = await reading(async () => (await this.deadLetterAdmin.listDeadLetters()).filter((d) => envelopeField(d.message, 'key') === taskId));
    const transitions = stored.task.snapshot?.history ?? [];
    return {
      task: stored.task,
      transitions,
      correlationId: transitions.find((t) => t.correlationId !== null)?.correlationId ?? stored.messages[0]?.correlationId ?? null,
      traceIds: [...new Set(stored.messages.flatMap((m) => (m.traceId ? [m.traceId] : [])))],
      messages: stored.messages,
      deadLetters,
      deliveries: stored.deliveries,
      prds: stored.prds.map((p) => ({ version: p.prdVersion, draftedAt: p.draftedAt, generatedBy: p.document.generatedBy })),
      actions: stored.actions,
    };
  }

  /** Open stall episodes, oldest first: tasks the scanner found stuck that have not moved on since. */
  async stalled(admin: User): Promise<StalledTask[]> {
    assertIsAdmin(admin);
    return this.unitOfWork.read(async (session) => {
      const { alerts, taskViews } = this.repositories(session);
      const open = await alerts.listOpen('workflow-stalled', BULK_LIMIT);
      return Promise.all(open.map(async (alert) => ({ alert, task: alert.taskId ? await taskViews.find(alert.taskId) : undefined })));
    });
  }

  /** One open stall episode, for its confirmation page (undefined once it was resolved or never was). */
  async stalledOne(admin: User, alertId: string): Promise<StalledTask | undefined> {
    return (await this.stalled(admin)).find((s) => s.alert.id === alertId);
  }

  /**
   * Re-drives the task of an open stall episode now: orchestration sends the step again (the same
   * command the alert email's link sends, once per episode). 409 when the task moved on or a
   * re-drive was asked already.
   */
  async redrive(admin: User, alertId: string): Promise<{ readonly taskId: string; readonly taskVersion: number }> {
    assertIsAdmin(admin);
    const alert = await this.unitOfWork.read((session) => this.repositories(session).alerts.lockById(alertId));
    return this.auditedInTransaction(admin, 'task.redrive', `stall ${alertId}`, alert?.taskId ?? null, async (tx) => {
      const repositories = this.repositories(tx);
      const open = await repositories.alerts.lockById(alertId);
      if (!open || open.kind !== 'workflow-stalled') throw new ActionConflictError(`there is no stall ${alertId} to re-drive`);
      if (open.resolvedAt) throw new ActionConflictError(`the task of stall ${alertId} has moved on already: nothing to re-drive`);
      const sent = await requestRedriveIn(tx, repositories, admin, open);
      if (sent === 'already-requested') {
        throw new ActionConflictError(`a re-drive of this stall was asked already by ${open.redrive?.by ?? 'someone'}: it is sent once per stall`);
      }
      return { result: { taskId: sent.taskId, taskVersion: sent.taskVersion }, detail: `re-drive sent for task version ${sent.taskVersion}` };
    });
  }

  /** Dead letters, of one consumer or of every consumer this process knows, optionally of one type. */
  async deadLetters(admin: User, filter: { readonly consumer?: string; readonly type?: string } = {}): Promise<DeadLetter[]> {
    assertIsAdmin(admin);
    const all = await this.deadLetterAdmin.listDeadLetters(filter.consumer);
    return all.filter((d) => filter.type === undefined || d.messageType === filter.type);
  }

  /** Puts back on their queue exactly the dead letters of `consumer` named by `ids` (those still there). */
  replayDeadLetters(admin: User, consumer: string, ids: readonly string[]): Promise<BulkOutcome> {
    return this.eachDeadLetter(admin, 'dead-letters.replay', consumer, ids, (id) => this.deadLetterAdmin.replayDeadLetters(consumer, { id }), 'replayed');
  }

  /** Deletes exactly the dead letters of `consumer` named by `ids`. */
  purgeDeadLetters(admin: User, consumer: string, ids: readonly string[]): Promise<BulkOutcome> {
    return this.eachDeadLetter(admin, 'dead-letters.purge', consumer, ids, (id) => this.deadLetterAdmin.purgeDeadLetters(consumer, { id }), 'purged');
  }

  async failedDeliveries(admin: User): Promise<DeliverySummary[]> {
    return this.deliveryAdmin.list(admin, { status: 'failed', limit: BULK_LIMIT });
  }

  /** Sends exactly the named failed deliveries again, each with a fresh set of attempts. */
  async retryDeliveries(admin: User, keys: readonly DeliveryKey[]): Promise<BulkOutcome> {
    assertIsAdmin(admin);
    const target = keys.map((k) => `${k.channel}:${k.notificationId}`).join(', ');
    return this.audited(admin, 'deliveries.retry', target, null, async () => {
      let done = 0;
      for (const key of keys.slice(0, BULK_LIMIT)) {
        const outcome = await this.deliveryAdmin.retry(admin, key).catch(() => ({ kind: 'not_found' as const }));
        if (outcome.kind === 'retried') done += outcome.retried;
      }
      const result = { done, shown: keys.length };
      return { result, detail: `retried ${done} of ${keys.length} shown` };
    });
  }

  /** The agent pool's switch as last announced, and how many tasks wait for the agent. */
  async agentPool(admin: User): Promise<AgentPoolState> {
    assertIsAdmin(admin);
    return this.unitOfWork.read((session) => this.poolState(session));
  }

  /**
   * Asks product definition to pause (or resume) the agent pool: one `set-agent-pool` command
   * through the outbox, audited as `agent-pool.pause` / `agent-pool.resume`. Asking twice sends
   * twice, and the second changes nothing there (the switch already is so).
   */
  async setAgentPool(admin: User, paused: boolean, reason?: string): Promise<AgentPoolRequest> {
    assertIsAdmin(admin);
    const why = reason?.trim() ? reason.trim().slice(0, 500) : undefined;
    return this.auditedInTransaction(admin, paused ? 'agent-pool.pause' : 'agent-pool.resume', `agent pool ${AGENT_POOL}`, null, async (tx) => {
      const state = await this.poolState(tx);
      tx.outbox.add(message(SetAgentPool, AGENT_POOL, { paused, by: admin.id, ...(why ? { reason: why } : {}) }));
      const result = { paused, waitingTasks: state.waitingTasks, alreadySo: state.paused === paused };
      const verb = paused ? 'pause' : 'resume';
      const detail = `asked to ${verb}${why ? ` (${why})` : ''}; ${result.waitingTasks} task${result.waitingTasks === 1 ? '' : 's'} waiting for the agent${result.alreadySo ? `; it was ${paused ? 'paused' : 'running'} already` : ''}`;
      return { result, detail };
    });
  }

  /** Newest first; only the actions on one task when `taskId` is given. */
  async auditLog(admin: User, filter: { readonly taskId?: string; readonly limit: number } = { limit: BULK_LIMIT }): Promise<OperatorAction[]> {
    assertIsAdmin(admin);
    return this.unitOfWork.read((session) => this.opsRepositories(session).ops.listActions(filter));
  }

  /**
   * Writes one operator action to the audit log, whichever way it ended: `work` says what it did;
   * a failure is recorded with its message and thrown on. Actions of other parts of the service
   * (the admin API) record theirs through here too.
   */
  async audited<T>(
    admin: User,
    action: string,
    target: string,
    taskId: string | null,
    work: () => Promise<{ readonly result: T; readonly detail: string }>,
  ): Promise<T> {
    assertIsAdmin(admin);
    let outcome: { readonly result: T; readonly detail: string };
    try {
      outcome = await work();
    } catch (error) {
      await this.record({ actorId: admin.id, action, target, taskId, outcome: 'failed', detail: reasonOf(error) });
      throw error;
    }
    await this.record({ actorId: admin.id, action, target, taskId, outcome: 'ok', detail: outcome.detail });
    return outcome.result;
  }

  /**
   * `audited` for an action that is one unit of work: its entry commits in the action's own
   * transaction (both or neither); a failure is recorded after the rollback, as `audited` does.
   */
  private async auditedInTransaction<T>(
    admin: User,
    action: string,
    target: string,
    taskId: string | null,
    work: (tx: Transaction) => Promise<{ readonly result: T; readonly detail: string }>,
  ): Promise<T> {
    assertIsAdmin(admin);
    try {
      return await this.unitOfWork.run(async (tx) => {
        const outcome = await work(tx);
        await this.opsRepositories(tx).ops.recordAction(
          { actorId: admin.id, action, target: target.slice(0, 2_000), taskId, outcome: 'ok', detail: outcome.detail },
          tx.now,
        );
        return outcome.result;
      });
    } catch (error) {
      await this.record({ actorId: admin.id, action, target, taskId, outcome: 'failed', detail: reasonOf(error) });
      throw error;
    }
  }

  private async poolState(session: Parameters<OpsRepositoryFactory>[0]): Promise<AgentPoolState> {
    const { ops, agentPool } = this.opsRepositories(session);
    const view = await agentPool.find(AGENT_POOL);
    const waitingTasks = (await ops.tasksByStatus()).find((s) => s.status === 'REQUEST_VALIDATION')?.count ?? 0;
    return { pool: AGENT_POOL, paused: view?.paused ?? false, view, waitingTasks };
  }

  private async record(action: Parameters<ReturnType<OpsRepositoryFactory>['ops']['recordAction']>[0]): Promise<void> {
    await this.unitOfWork.read((session) =>
      this.opsRepositories(session).ops.recordAction({ ...action, target: action.target.slice(0, 2_000) }, this.clock.now()),
    );
  }

  private async eachDeadLetter(
    admin: User,
    action: string,
    consumer: string,
    ids: readonly string[],
    one: (id: string) => Promise<number>,
    verb: string,
  ): Promise<BulkOutcome> {
    assertIsAdmin(admin);
    const chosen = ids.slice(0, BULK_LIMIT);
    return this.audited(admin, action, `${consumer}: ${chosen.join(', ')}`, null, async () => {
      let done = 0;
      for (const id of chosen) done += await one(id);
      return { result: { done, shown: chosen.length }, detail: `${verb} ${done} of ${chosen.length} shown` };
    });
  }
}

function countByConsumer(deadLetters: readonly DeadLetter[]): Array<{ consumer: string; count: number }> {
  const counts = new Map<string, number>();
  for (const d of deadLetters) counts.set(d.consumer, (counts.get(d.consumer) ?? 0) + 1);
  return [...counts].map(([consumer, count]) => ({ consumer, count })).sort((a, b) => a.consumer.localeCompare(b.consumer));
}
