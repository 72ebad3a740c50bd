import { inject, injectable } from 'inversify';
import type { Loop } from '../../shared/kernel/background-loop';
import type { BoundedContext } from '../../shared/kernel/bounded-context';
import type { MessageQueue, Unsubscribe } from '../../shared/messaging/message-queue';
import { SyncRequestOnTaskSnapshot } from './application/sync-request-on-task-snapshot/sync-request-on-task-snapshot.handler';
import type { TaskPollingService } from './application/task-polling/task-polling.service';
import { PRODUCT_DEFINITION } from './product-definition.tokens';

/** Product Definition as the composition root sees it: one event subscription and the pool's loop. */
@injectable()
export class ProductDefinitionContext implements BoundedContext {
  readonly name = 'product-definition';
  readonly loops: readonly Loop[];

  constructor(
    @inject(PRODUCT_DEFINITION.SyncRequestOnTaskSnapshot) private readonly syncRequest: SyncRequestOnTaskSnapshot,
    @inject(PRODUCT_DEFINITION.TaskPollingService) private readonly poller: TaskPollingService,
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
    ];
  }

  /** The pool's work items leased by a gone worker instance go back to pending. */
  releaseLeasesOf(instanceId: string): Promise<number> {
    return this.poller.releaseLeasesOf(instanceId);
  }
}
