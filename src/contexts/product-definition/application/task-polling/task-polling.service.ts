import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { inject, injectable } from 'inversify';
import type { Logger } from '../../../../shared/logging/logger';
import { Alarm } from '../../../../shared/kernel/alarm';
import { SHARED } from '../../../../shared/kernel/tokens';
import { describeError } from '../../../../shared/kernel/errors';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import type { PrdDocument } from '../../contracts';
import type { Assessment, ProductManagerAgent } from '../../domain/product-manager-agent';
import type { ProductRequest } from '../../domain/product-request';
import type { Lease, WorkItem } from '../../domain/work-item';
import type { ProductDefinitionOptions } from '../../product-definition.options';
import { PRODUCT_DEFINITION } from '../../product-definition.tokens';
import type { ProductDefinitionRepositoryFactory, WorkSignal } from '../repositories';
import { recordOutcome } from './record-outcome';

interface Claim {
  readonly item: WorkItem;
  readonly lease: Lease;
  readonly request: ProductRequest | undefined;
  readonly previousPrd: PrdDocument | undefined;
}

/**
 * The product-manager pool: poll loops that each claim one work item (SKIP LOCKED + lease), run
 * the agent outside any transaction (it may be slow), then commit its outcome if they still hold
 * the lease. A crashed poller's item is taken over once its lease expires.
 */
@injectable()
export class TaskPollingService implements WorkSignal {
  private running = false;
  private loops: Promise<void>[] = [];
  private kicks = 0;
  private readonly alarm = new Alarm();
  private readonly instance = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;

  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(PRODUCT_DEFINITION.Repositories) private readonly repositories: ProductDefinitionRepositoryFactory,
    @inject(PRODUCT_DEFINITION.ProductManagerAgent) private readonly agent: ProductManagerAgent,
    @inject(PRODUCT_DEFINITION.Options) private readonly options: ProductDefinitionOptions,
    @inject(SHARED.Logger) private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.pollerCount }, (_, i) => this.loop(`${this.instance}/${i + 1}`));
  }

  /** Stops claiming and waits for the items in flight to be completed or released. */
  async stop(): Promise<void> {
    this.running = false;
    this.alarm.ring();
    await Promise.all(this.loops);
    this.loops = [];
  }

  kick(): void {
    this.kicks += 1;
    this.alarm.ring();
  }

  /** Claims and handles at most one item; returns whether it claimed one. */
  async pollOnce(pollerId: string): Promise<boolean> {
    const claim = await this.claim(pollerId);
    if (!claim) return false;
    const { item, request } = claim;
    if (item.attempts > this.options.maxAttempts) {
      // Earlier claims never finished (their pollers died): stop trying and fail the task.
      await this.finish(claim, { kind: 'give-up', reason: `The product manager agent did not finish in ${item.attempts - 1} attempts.` });
      return true;
    }
    let assessment: Assessment;
    try {
      if (!request) throw new Error(`no copy of task ${item.taskId} to work from`);
      assessment = await this.agent.assess({
        taskId: request.taskId,
        title: request.title,
        description: request.description,
        priority: request.priority,
        clarificationLog: request.clarificationLog,
        feedback: request.feedback,
        clarificationRounds: request.clarificationRounds,
        ...(claim.previousPrd ? { previousPrd: claim.previousPrd } : {}),
      });
    } catch (error) {
      await this.failAttempt(claim, error);
      return true;
    }
    try {
      await this.finish(claim, assessment);
    } catch (error) {
      await this.failAttempt(claim, error);
    }
    return true;
  }

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
    const committed = await this.unitOfWork.run((tx) => recordOutcome(tx, this.repositories(tx), claim.item, claim.lease, assessment));
    const log = { taskId: claim.item.taskId, taskVersion: claim.item.taskVersion, poller: claim.lease.owner, outcome: assessment.kind };
    if (committed) this.logger.info(log, 'work item done');
    else this.logger.warn(log, 'lease lost before completion; result discarded');
  }

  /** A failed attempt is tried again by any poller, until the attempts run out and the task fails. */
  private async failAttempt(claim: Claim, error: unknown): Promise<void> {
    const { errorClass, errorMessage } = describeError(error);
    const log = { taskId: claim.item.taskId, taskVersion: claim.item.taskVersion, attempt: claim.item.attempts, errorClass, err: errorMessage };
    try {
      if (claim.item.attempts >= this.options.maxAttempts) {
        this.logger.error(log, 'work item failed on its last attempt; failing the task');
        await this.finish(claim, { kind: 'give-up', reason: `The product manager agent failed ${claim.item.attempts} times; last error: ${errorMessage}` });
      } else {
        this.logger.warn(log, 'work item attempt failed; released for retry');
        await this.unitOfWork.run((tx) => this.repositories(tx).workItems.release(claim.lease));
      }
    } catch (failure) {
      // The lease expires and another claim retries: nothing is lost.
      this.logger.error({ ...log, failure: describeError(failure).errorMessage }, 'could not record the failed attempt');
    }
  }

  private async loop(pollerId: string): Promise<void> {
    while (this.running) {
      const kicksBefore = this.kicks;
      let processed = false;
      let failed = false;
      try {
        processed = await this.pollOnce(pollerId);
      } catch (error) {
        failed = true;
        this.logger.error({ poller: pollerId, err: describeError(error).errorMessage }, 'poll failed');
      }
      if (!this.running) break;
      if (!failed && (processed || this.kicks !== kicksBefore)) continue;
      await this.alarm.sleep(this.options.pollIntervalMs);
    }
  }

}
