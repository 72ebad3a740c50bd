import { ContainerModule } from 'inversify';
import { AnswerClarification } from './application/answer-clarification/answer-clarification.service';
import { CancelTask } from './application/cancel-task/cancel-task.service';
import { DecidePrd } from './application/decide-prd/decide-prd.service';
import { NotificationInbox } from './application/queries/notification-inbox.service';
import { TaskQueries } from './application/queries/task-queries.service';
import { RecordPrdOnPrdDrafted } from './application/record-prd/record-prd-on-prd-drafted.handler';
import { ResendUnconfirmedRequests } from './application/resend-unconfirmed-requests/resend-unconfirmed-requests.service';
import { SendNotificationHandler } from './application/send-notification/send-notification.handler';
import { SubmitRequest } from './application/submit-request/submit-request.service';
import { SyncTaskViewOnTaskEvent } from './application/sync-task-view/sync-task-view-on-task-event.handler';
import { HumanInteractionContext } from './human-interaction.context';
import { HUMAN_INTERACTION } from './human-interaction.tokens';
import { ConfiguredUserDirectory } from './infrastructure/auth/configured-user-directory';
import { HumanInteractionHttpApi } from './infrastructure/http/human-interaction.http-api';
import { ActionLinkSigner } from './infrastructure/links/action-link-signer';
import { PublicAddress } from './infrastructure/links/public-address';
import { type HumanInteractionOptions, humanInteractionOptionsSchema } from './human-interaction.options';

export { HUMAN_INTERACTION } from './human-interaction.tokens';
export type { HumanInteractionOptions } from './human-interaction.options';
export { HumanInteractionHttpApi } from './infrastructure/http/human-interaction.http-api';
export { PublicAddress } from './infrastructure/links/public-address';

/**
 * Binds the human-interaction context. The composition root binds, besides the SHARED services,
 * `HUMAN_INTERACTION.Options` to a `HumanInteractionOptions` value ({ users } from configuration).
 */
export const humanInteractionModule = new ContainerModule(({ bind }) => {
  bind(HUMAN_INTERACTION.PublicAddress).to(PublicAddress).inSingletonScope();
  bind(HUMAN_INTERACTION.LinkSigner)
    .toDynamicValue((ctx) => new ActionLinkSigner(humanInteractionOptionsSchema.parse(ctx.get<HumanInteractionOptions>(HUMAN_INTERACTION.Options)).linkSecret))
    .inSingletonScope();
  bind(HUMAN_INTERACTION.UserDirectory).to(ConfiguredUserDirectory).inSingletonScope();
  bind(HUMAN_INTERACTION.SubmitRequest).to(SubmitRequest).inSingletonScope();
  bind(HUMAN_INTERACTION.AnswerClarification).to(AnswerClarification).inSingletonScope();
  bind(HUMAN_INTERACTION.DecidePrd).to(DecidePrd).inSingletonScope();
  bind(HUMAN_INTERACTION.CancelTask).to(CancelTask).inSingletonScope();
  bind(HUMAN_INTERACTION.TaskQueries).to(TaskQueries).inSingletonScope();
  bind(HUMAN_INTERACTION.NotificationInbox).to(NotificationInbox).inSingletonScope();
  bind(HUMAN_INTERACTION.SyncTaskView).to(SyncTaskViewOnTaskEvent).inSingletonScope();
  bind(HUMAN_INTERACTION.RecordPrd).to(RecordPrdOnPrdDrafted).inSingletonScope();
  bind(HUMAN_INTERACTION.SendNotification).to(SendNotificationHandler).inSingletonScope();
  bind(HUMAN_INTERACTION.ResendUnconfirmedRequests).to(ResendUnconfirmedRequests).inSingletonScope();
  bind(HUMAN_INTERACTION.HttpApi).to(HumanInteractionHttpApi).inSingletonScope();
  bind(HUMAN_INTERACTION.Context).to(HumanInteractionContext).inSingletonScope();
});
