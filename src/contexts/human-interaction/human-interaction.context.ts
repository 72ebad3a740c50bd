import { inject, injectable } from 'inversify';
import type { Loop } from '../../shared/kernel/background-loop';
import type { BoundedContext } from '../../shared/kernel/bounded-context';
import type { Envelope } from '../../shared/messaging/envelope';
import type { MessageQueue, Unsubscribe } from '../../shared/messaging/message-queue';
import { AgentPoolChanged, PrdDrafted } from '../product-definition/contracts';
import { TASK_EVENT_TYPES } from '../task-management/contracts';
import { WorkflowStalled } from '../orchestration/contracts';
import { SendNotification } from './contracts';
import { ALERTS_CONSUMER, type AlertOnWorkflowStalled } from './application/alerts/alert-on-workflow-stalled.handler';
import type { RecordAgentPoolOnPoolChanged } from './application/ops/record-agent-pool.handler';
import { PRD_EVENTS_CONSUMER, type RecordPrdOnPrdDrafted } from './application/record-prd/record-prd-on-prd-drafted.handler';
import type { DeliverNotifications } from './application/deliver-notifications/deliver-notifications.worker';
import type { ResendUnconfirmedRequests } from './application/resend-unconfirmed-requests/resend-unconfirmed-requests.service';
import type { WorkerCoverageAlerts } from './application/alerts/worker-coverage-alerts';
import { COMMANDS_CONSUMER, type SendNotificationHandler } from './application/send-notification/send-notification.handler';
import { type SyncTaskViewOnTaskEvent, TASK_EVENTS_CONSUMER } from './application/sync-task-view/sync-task-view-on-task-event.handler';
import { HUMAN_INTERACTION } from './human-interaction.tokens';

/** Subscribes the context's handlers and hands over its background work: the unconfirmed-submission sweep, the worker coverage check and the delivery worker. */
@injectable()
export class HumanInteractionContext implements BoundedContext {
  readonly name = 'human-interaction';
  /** In stop order: the sweep and the coverage check first, then the deliveries (stopping waits for those in flight). */
  readonly loops: readonly Loop[];

  constructor(
    @inject(HUMAN_INTERACTION.SyncTaskView) private readonly syncTaskView: SyncTaskViewOnTaskEvent,
    @inject(HUMAN_INTERACTION.RecordPrd) private readonly recordPrd: RecordPrdOnPrdDrafted,
    @inject(HUMAN_INTERACTION.SendNotification) private readonly sendNotification: SendNotificationHandler,
    @inject(HUMAN_INTERACTION.ResendUnconfirmedRequests) resender: ResendUnconfirmedRequests,
    @inject(HUMAN_INTERACTION.DeliverNotifications) private readonly deliveries: DeliverNotifications,
    @inject(HUMAN_INTERACTION.AlertOnWorkflowStalled) private readonly alertOnStall: AlertOnWorkflowStalled,
    @inject(HUMAN_INTERACTION.RecordAgentPool) private readonly recordAgentPool: RecordAgentPoolOnPoolChanged,
    @inject(HUMAN_INTERACTION.WorkerCoverageAlerts) coverage: WorkerCoverageAlerts,
  ) {
    this.loops = [resender.loop, coverage.loop, deliveries.loop];
  }

  async subscribe(queue: MessageQueue): Promise<Unsubscribe[]> {
    return Promise.all([
      // Ordered per task: a view applies only newer snapshots anyway, but order avoids churn.
      queue.subscribeToEvents({ consumer: TASK_EVENTS_CONSUMER, types: TASK_EVENT_TYPES, orderedByKey: true, handler: (m) => this.syncTaskView.handle(m) }),
      // Product definition's events: PRD versions, and the agent pool's switch for the /ops console.
      queue.subscribeToEvents({
        consumer: PRD_EVENTS_CONSUMER,
        types: [PrdDrafted.type, AgentPoolChanged.type],
        handler: (m) => (m.type === AgentPoolChanged.type ? this.recordAgentPool.handle(m) : this.recordPrd.handle(m)),
      }),
      queue.subscribeToCommands({ consumer: COMMANDS_CONSUMER, types: [SendNotification.type], handler: (m) => this.notify(m) }),
      queue.subscribeToEvents({ consumer: ALERTS_CONSUMER, types: [WorkflowStalled.type], handler: (m) => this.alert(m) }),
    ]);
  }

  /** After the loops stopped (no delivery is in flight any more): the channels let go of their connections. */
  async drain(): Promise<void> {
    this.deliveries.closeChannels();
  }

  /** Deliveries a gone worker instance was sending are due again at once. */
  releaseLeasesOf(instanceId: string): Promise<number> {
    return this.deliveries.releaseLeasesOf(instanceId);
  }

  /** A stall alert's notifications may have deliveries: likewise. */
  private async alert(event: Envelope): Promise<void> {
    if ((await this.alertOnStall.handle(event)) > 0) this.deliveries.kick();
  }

  /** A new notification may have deliveries: the worker looks at once instead of at its next poll. */
  private async notify(command: Envelope): Promise<void> {
    await this.sendNotification.handle(command);
    this.deliveries.kick();
  }
}
