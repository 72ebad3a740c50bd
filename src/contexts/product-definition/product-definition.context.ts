import { inject, injectable } from 'inversify';
import type { Loop } from '../../shared/kernel/background-loop';
import type { BoundedContext } from '../../shared/kernel/bounded-context';
import type { MessageQueue, Unsubscribe } from '../../shared/messaging/message-queue';
import type { UnitOfWork } from '../../shared/persistence/unit-of-work';
import { SHARED } from '../../shared/kernel/tokens';
import { AGENT_POOL } from './contracts';
import type { AgentPoolSwitch } from './domain/agent-pool';
import type { ProductDefinitionRepositoryFactory } from './application/repositories';
import { SetAgentPoolHandler } from './application/set-agent-pool/set-agent-pool.handler';
import { SyncRequestOnTaskSnapshot } from './application/sync-request-on-task-snapshot/sync-request-on-task-snapshot.handler';
import type { TaskPollingService } from './application/task-polling/task-polling.service';
import { PRODUCT_DEFINITION } from './product-definition.tokens';

/** Product Definition as the composition root sees it: the task events, operators' commands, and the pool's loop. */
@injectable()
export class ProductDefinitionContext implements BoundedContext {
  readonly name = 'product-definition';
  readonly loops: readonly Loop[];

  constructor(
    @inject(PRODUCT_DEFINITION.SyncRequestOnTaskSnapshot) private readonly syncRequest: SyncRequestOnTaskSnapshot,
    @inject(PRODUCT_DEFINITION.TaskPollingService) private readonly poller: TaskPollingService,
    @inject(PRODUCT_DEFINITION.SetAgentPool) private readonly setAgentPool: SetAgentPoolHandler,
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(PRODUCT_DEFINITION.Repositories) private readonly repositories: ProductDefinitionRepositoryFactory,
  ) {
    this.loops = [poller.loop];
  }

  async subscribe(queue: MessageQueue): Promise<Unsubscribe[]> {
    return [
      await queue.subscribeToEvents({
        consumer: SyncRequestOnTaskSnapshot.consumer,
        types: SyncRequestOnTaskSnapshot.types,
        handler: (message) => this.syncRequest.handle(message),
      }),
      await queue.subscribeToCommands({
        consumer: SetAgentPoolHandler.consumer,
        types: SetAgentPoolHandler.types,
        // One switch: a pause and a resume sent close together are applied in the order sent.
        orderedByKey: true,
        handler: (message) => this.setAgentPool.handle(message),
      }),
    ];
  }

  /** The operators' switch as stored (for /ready): every process of this context reads the same row. */
  agentPool(): Promise<AgentPoolSwitch> {
    return this.unitOfWork.read((session) => this.repositories(session).agentPool.find(AGENT_POOL));
  }

  /** The pool's work items leased by a gone worker instance go back to pending. */
  releaseLeasesOf(instanceId: string): Promise<number> {
    return this.poller.releaseLeasesOf(instanceId);
  }
}
