import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { inject, injectable, optional } from 'inversify';
import type { Logger } from '../../../../shared/logging/logger';
import { BackgroundLoop, type Loop } from '../../../../shared/kernel/background-loop';
import { SHARED } from '../../../../shared/kernel/tokens';
import { describeError } from '../../../../shared/kernel/errors';
import { decideRetry, retryPolicy, type RetryPolicy } from '../../../../shared/kernel/retry';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import { inSpan, inSpanAfter } from '../../../../shared/tracing/spans';
import type { PrdDocument } from '../../contracts';
import type { Assessment, ProductManagerAgent } from '../../domain/product-manager-agent';
import type { ProductRequest } from '../../domain/product-request';
import type { Lease, WorkItem } from '../../domain/work-item';
import type { ProductDefinitionOptions } from '../../product-definition.options';
import { PRODUCT_DEFINITION } from '../../product-definition.tokens';
import type { ProductDefinitionRepositoryFactory, WorkSignal } from '../repositories';
import { checkedAssessment } from './checked-assessment';
import { recordOutcome } from './record-outcome';

interface Claim {
  readonly item: WorkItem;
  readonly lease: Lease;
  readonly request: ProductRequest | undefined;
  readonly previousPrd: PrdDocument | undefined;
}

/** A claim of the pool, held by one of its pollers until it is handled. */
interface PoolClaim extends Claim {
  readonly poller: number;
}

/**
 * The product-manager pool: a loop that claims work items (SKIP LOCKED + lease), up to
 * `pollerCount` at once, runs the agent on each outside any transaction (it may be slow), then
 * commits its outcome if it still holds the lease. A crashed process's item is taken over once
 * its lease expires.
 */
@injectable()
export class TaskPollingService implements WorkSignal {
  /** Stopping it stops claiming and waits for the items in flight to be completed or released. */
  readonly loop: Loop;
  /**
   * The worker instance (the registry's id, `<host>/<pid>/<8 hex>`, when the composition root
   * binds one): lease owners are `${instance}/${poller}`, so the leases of a gone instance can be
   * found, and the bench counts work items per process by them.
   */
  private readonly instance: string;
  /** Pollers not holding a claim: each claim in flight has its own lease owner, `${instance}/${n}`. */
  private readonly idlePollers: number[];
  /** Attempts per work item; the agent's errors say whether another can help. */
  private readonly retries: RetryPolicy;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(PRODUCT_DEFINITION.Repositories) private readonly repositories: ProductDefinitionRepositoryFactory,
    @inject(PRODUCT_DEFINITION.ProductManagerAgent) private readonly agent: ProductManagerAgent,
    @inject(PRODUCT_DEFINITION.Options) private readonly options: ProductDefinitionOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
    @inject(SHARED.InstanceId) @optional() instanceId?: string,
  ) {
    this.instance = instanceId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.idlePollers = Array.from({ length: options.pollerCount }, (_, i) => i + 1);
    this.retries = retryPolicy({ maxAttempts: options.maxAttempts });
    this.loop = new BackgroundLoop<PoolClaim>(
      {
        name: 'product-manager pool',
        intervalMs: options.pollIntervalMs,
        concurrency: options.pollerCount,
        claim: (limit) => this.claimForPool(limit),
        handle: (claim) => this.handleForPool(claim),
      },
      logger,
    );
  }

  kick(): void {
    this.loop.kick();
  }

  /** The worker registry found `instanceId` gone: its items are claimable now, and the pool looks at once. */
  async releaseLeasesOf(instanceId: string): Promise<number> {
    const released = await this.unitOfWork.run((tx) => this.repositories(tx).workItems.releaseLeasesOf(instanceId));
    if (released > 0) {
      this.logger.warn({ instance: instanceId, released }, 'released the work items of a gone worker instance');
      this.loop.kick();
    }
    return released;
  }

  /** Claims and handles at most one item; returns whether it claimed one. */
  async pollOnce(pollerId: string): Promise<boolean> {
    const claim = await this.claim(pollerId);
    if (!claim) return false;
    await this.handle(claim);
    return true;
  }

  /**
   * One item for each idle poller (up to `limit`), each in its own transaction, all at once: a
   * burst of new items is claimed in parallel, as by independent pollers, not one claim after
   * another. The loop calls again at once while a poller is idle and this found something.
   */
  private async claimForPool(limit: number): Promise<PoolClaim[]> {
    // A paused agent (its provider kept failing) gets no work: items stay pending, attempts unspent.
    if (this.agent.availability?.().state === 'paused') return [];
    const pollers = this.idlePollers.splice(0, limit);
    const results = await Promise.allSettled(pollers.map((poller) => this.claimAs(poller)));
    // Claims that succeeded are handled even when another failed (their leases are held now);
    // only when every one failed does the loop see the failure, and back off.
    const claims = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
    const failure = results.find((r) => r.status === 'rejected');
    if (failure && claims.length === 0 && results.every((r) => r.status === 'rejected')) throw failure.reason;
    return claims;
  }

  private async claimAs(poller: number): Promise<PoolClaim | undefined> {
    let claim: Claim | undefined;
    try {
      claim = await this.claim(`${this.instance}/${poller}`);
      return claim ? { ...claim, poller } : undefined;
    } finally {
      if (!claim) this.idlePollers.unshift(poller);
    }
  }

  private async handleForPool(claim: PoolClaim): Promise<void> {
    try {
      await this.handle(claim);
    } finally {
      this.idlePollers.push(claim.poller);
    }
  }

  /**
   * Runs the agent on a claimed item and records the outcome, or the failed attempt: in a span
   * continuing the trace of the delivery that asked for the work.
   */
  private handle(claim: Claim): Promise<void> {
    const attributes = {
      'refinery.task_id': claim.item.taskId,
      'refinery.task_version': claim.item.taskVersion,
      'refinery.work_item.attempt': claim.item.attempts,
    };
    return inSpanAfter(claim.item.trace, 'product-manager work item', { attributes }, () => this.handleInTrace(claim));
  }

  private async handleInTrace(claim: Claim): Promise<void> {
    const { item, request } = claim;
    if (item.attempts > this.options.maxAttempts) {
      // Earlier claims never finished (their pollers died): stop trying and fail the task.
      await this.finish(claim, { kind: 'give-up', reason: `The product manager agent did not finish in ${item.attempts - 1} attempts.` });
      return;
    }
    let assessment: Assessment;
    try {
      if (!request) throw new Error(`no copy of task ${item.taskId} to work from`);
      const input = {
        taskId: request.taskId,
        title: request.title,
        description: request.description,
        priority: request.priority,
        clarificationLog: request.clarificationLog,
        feedback: request.feedback,
        clarificationRounds: request.clarificationRounds,
        maxClarificationRounds: this.options.maxClarificationRounds,
        ...(claim.previousPrd ? { previousPrd: claim.previousPrd } : {}),
      };
      assessment = await inSpan('agent assess', { attributes: { 'refinery.task_id': item.taskId } }, () => checkedAssessment(this.agent, input, this.logger));
    } catch (error) {
      await this.failAttempt(claim, error);
      return;
    }
    try {
      await this.finish(claim, assessment);
    } catch (error) {
      await this.failAttempt(claim, error);
    }
  }

  /** The item, its request and the PRD it revises, in one transaction. */
  private claim(pollerId: string): Promise<Claim | undefined> {
    return this.unitOfWork.run(async (tx) => {
      const { workItems, requests, prds } = this.repositories(tx);
      const item = await workItems.claimNext(pollerId, tx.now, this.options.leaseMs);
      if (!item) return undefined;
      const previousPrd = (await prds.load(item.taskId)).latest?.document;
      return { item, lease: { itemId: item.id, owner: pollerId, version: item.version }, request: await requests.find(item.taskId), previousPrd };
    });
  }

  private async finish(claim: Claim, assessment: Assessment): Promise<void> {
    const committed = await this.unitOfWork.run((tx) => recordOutcome(tx, this.repositories(tx), claim.item, claim.lease, claim.request, assessment));
    const log = { taskId: claim.item.taskId, taskVersion: claim.item.taskVersion, poller: claim.lease.owner, outcome: assessment.kind };
    if (committed) this.logger.info(log, 'work item done');
    else this.logger.warn(log, 'lease lost before completion; result discarded');
  }

  /**
   * A failed attempt is tried again by any poller, until the attempts run out or the error says
   * trying again cannot help; then the task fails.
   */
  private async failAttempt(claim: Claim, error: unknown): Promise<void> {
    const { errorClass, errorMessage } = describeError(error);
    const log = { taskId: claim.item.taskId, taskVersion: claim.item.taskVersion, attempt: claim.item.attempts, errorClass, err: errorMessage };
    const decision = decideRetry(this.retries, error, claim.item.attempts);
    try {
      if (decision.retry) {
        // Released at once, whatever decision.delayMs says: a work item has no column to hold
        // it back until then. The lease and the attempt count still bound the retries.
        this.logger.warn(log, 'work item attempt failed; released for retry');
        await this.unitOfWork.run((tx) => this.repositories(tx).workItems.release(claim.lease));
      } else if (decision.reason === 'exhausted') {
        this.logger.error(log, 'work item failed on its last attempt; failing the task');
        await this.finish(claim, { kind: 'give-up', reason: `The product manager agent failed ${claim.item.attempts} times; last error: ${errorMessage}` });
      } else {
        this.logger.error(log, 'work item failed with an error that trying again cannot fix; failing the task');
        await this.finish(claim, { kind: 'give-up', reason: `The product manager agent failed with an error that trying again cannot fix: ${errorMessage}` });
      }
    } catch (failure) {
      // The lease expires and another claim retries: nothing is lost.
      this.logger.error({ ...log, failure: describeError(failure).errorMessage }, 'could not record the failed attempt');
    }
  }
}
