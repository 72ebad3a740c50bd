import { ContainerModule } from 'inversify';
import type { Clock } from '../../shared/kernel/clock';
import { SHARED } from '../../shared/kernel/tokens';
import { type DeadLetterAdmin, isDeadLetterAdmin, type MessageQueue } from '../../shared/messaging/message-queue';
import { OpsConsole } from './application/ops/ops-console.service';
import type { OpsRepositoryFactory } from './application/ops/ops.repository';
import { OpsPages } from './infrastructure/web/ops-pages.routes';
import { postgresOpsRepositories } from './infrastructure/persistence/postgres-ops.repository';
import { AlertOnWorkflowStalled } from './application/alerts/alert-on-workflow-stalled.handler';
import { TaskAlerts } from './application/alerts/task-alerts';
import { ChannelPreferences } from './application/channel-preferences/channel-preferences.service';
import { DeliverNotifications } from './application/deliver-notifications/deliver-notifications.worker';
import { DeliveryContentBuilder } from './application/deliver-notifications/delivery-content-builder';
import { DeliveryAdmin } from './application/deliveries-admin/delivery-admin.service';
import { configuredChannels, deliveryOutcomesFor } from './infrastructure/channels/configured-channels';
import type { HostResolver } from './application/channel-preferences/webhook-egress';
import { DnsHostResolver } from './infrastructure/channels/webhook/dns-host-resolver';
import { ApiTokens } from './application/api-tokens/api-tokens.service';
import { IssuedTokenVerifier } from './application/api-tokens/issued-token-verifier';
import { ActOnLink } from './application/act-on-link/act-on-link.service';
import { AnswerClarification } from './application/answer-clarification/answer-clarification.service';
import { CancelTask } from './application/cancel-task/cancel-task.service';
import { DecidePrd } from './application/decide-prd/decide-prd.service';
import { NotificationInbox } from './application/queries/notification-inbox.service';
import { TaskQueries } from './application/queries/task-queries.service';
import { RecordAgentPoolOnPoolChanged } from './application/ops/record-agent-pool.handler';
import { RecordPrdOnPrdDrafted } from './application/record-prd/record-prd-on-prd-drafted.handler';
import { ResendUnconfirmedRequests } from './application/resend-unconfirmed-requests/resend-unconfirmed-requests.service';
import { WorkerCoverageAlerts } from './application/alerts/worker-coverage-alerts';
import { SendNotificationHandler } from './application/send-notification/send-notification.handler';
import { SubmitRequest } from './application/submit-request/submit-request.service';
import { SyncTaskViewOnTaskEvent } from './application/sync-task-view/sync-task-view-on-task-event.handler';
import { TaskViewChanges } from './application/task-view-changes';
import { HumanInteractionContext } from './human-interaction.context';
import { HUMAN_INTERACTION } from './human-interaction.tokens';
import { ConfiguredUserDirectory } from './infrastructure/auth/configured-user-directory';
import { ChannelRoutes } from './infrastructure/http/channel.routes';
import { DeliveryAdminRoutes } from './infrastructure/http/delivery-admin.routes';
import { OpsApiRoutes } from './infrastructure/http/ops-api.routes';
import { HumanInteractionHttpApi } from './infrastructure/http/human-interaction.http-api';
import { NotificationRoutes } from './infrastructure/http/notification.routes';
import { TaskRoutes } from './infrastructure/http/task.routes';
import { IdempotentRequests } from './infrastructure/http/idempotency';
import { TokenRoutes } from './infrastructure/http/token.routes';
import { ActionLinkSigner } from './infrastructure/links/action-link-signer';
import { PublicAddress } from './infrastructure/links/public-address';
import { HumanInteractionWeb } from './infrastructure/web/human-interaction.web';
import { InboxPage } from './infrastructure/web/inbox-page.routes';
import { LinkPages } from './infrastructure/web/link-pages.routes';
import { LiveEventRoutes } from './infrastructure/web/live-events.routes';
import { LoginPages } from './infrastructure/web/login-pages.routes';
import { RequestPages } from './infrastructure/web/request-pages.routes';
import { SettingsPages } from './infrastructure/web/settings-pages.routes';
import { TaskPages } from './infrastructure/web/task-pages.routes';
import { NotificationActionLinks } from './infrastructure/links/notification-action-links';
import { WebInboxLinks } from './infrastructure/links/web-inbox-links';
import { SessionRevocations } from './application/web-sessions/session-revocations.service';
import { postgresHumanInteractionRepositories } from './infrastructure/persistence/postgres-repositories';
import type { HumanInteractionRepositoryFactory } from './application/repositories';
import { type HumanInteractionOptions, humanInteractionOptions, type HumanInteractionOptionsInput } from './human-interaction.options';

export { HUMAN_INTERACTION } from './human-interaction.tokens';
export type { HumanInteractionOptions, HumanInteractionOptionsInput } from './human-interaction.options';
export { HumanInteractionHttpApi } from './infrastructure/http/human-interaction.http-api';
export { humanInteractionApiPaths } from './infrastructure/http/api-description';
export { PublicAddress } from './infrastructure/links/public-address';
export { HumanInteractionWeb } from './infrastructure/web/human-interaction.web';

/** The /api route groups, in registration order. */
const API_ROUTES = [TaskRoutes, NotificationRoutes, TokenRoutes, ChannelRoutes, DeliveryAdminRoutes, OpsApiRoutes] as const;
/** The /inbox page groups, in registration order. */
const WEB_PAGES = [LoginPages, InboxPage, TaskPages, LiveEventRoutes, LinkPages, RequestPages, SettingsPages, OpsPages] as const;

/**
 * Binds the human-interaction context, its options parsed once (a bad option, such as an invalid
 * configured user, throws here). The composition root binds the SHARED services (the UnitOfWork
 * is the way to the database: the repositories open on its sessions).
 */
export function humanInteractionModule(input: HumanInteractionOptionsInput): ContainerModule {
  const options = humanInteractionOptions(input);
  return new ContainerModule(({ bind }) => {
    bind<HumanInteractionOptions>(HUMAN_INTERACTION.Options).toConstantValue(options);
    bind<HumanInteractionRepositoryFactory>(HUMAN_INTERACTION.Repositories).toConstantValue(postgresHumanInteractionRepositories);
    bind(HUMAN_INTERACTION.PublicAddress).to(PublicAddress).inSingletonScope();
    bind(HUMAN_INTERACTION.LinkSigner).toConstantValue(new ActionLinkSigner(options.linkSecret));
    bind(HUMAN_INTERACTION.UserDirectory).to(ConfiguredUserDirectory).inSingletonScope();
    bind(HUMAN_INTERACTION.SessionRevocations).to(SessionRevocations).inSingletonScope();
    bind(HUMAN_INTERACTION.IssuedTokens).to(IssuedTokenVerifier).inSingletonScope();
    bind(HUMAN_INTERACTION.ApiTokens).to(ApiTokens).inSingletonScope();
    bind(HUMAN_INTERACTION.SubmitRequest).to(SubmitRequest).inSingletonScope();
    bind(HUMAN_INTERACTION.AnswerClarification).to(AnswerClarification).inSingletonScope();
    bind(HUMAN_INTERACTION.DecidePrd).to(DecidePrd).inSingletonScope();
    bind(HUMAN_INTERACTION.CancelTask).to(CancelTask).inSingletonScope();
    bind(HUMAN_INTERACTION.TaskQueries).to(TaskQueries).inSingletonScope();
    bind(HUMAN_INTERACTION.NotificationInbox).to(NotificationInbox).inSingletonScope();
    bind(HUMAN_INTERACTION.SyncTaskView).to(SyncTaskViewOnTaskEvent).inSingletonScope();
    bind(HUMAN_INTERACTION.RecordPrd).to(RecordPrdOnPrdDrafted).inSingletonScope();
    bind(HUMAN_INTERACTION.RecordAgentPool).to(RecordAgentPoolOnPoolChanged).inSingletonScope();
    bind(HUMAN_INTERACTION.SendNotification).to(SendNotificationHandler).inSingletonScope();
    bind(HUMAN_INTERACTION.ResendUnconfirmedRequests).to(ResendUnconfirmedRequests).inSingletonScope();
    bind(HUMAN_INTERACTION.WorkerCoverageAlerts).to(WorkerCoverageAlerts).inSingletonScope();
    bind(HUMAN_INTERACTION.IdempotentRequests).to(IdempotentRequests).inSingletonScope();
    for (const routes of API_ROUTES) bind(HUMAN_INTERACTION.ApiRoutes).to(routes).inSingletonScope();
    bind(HUMAN_INTERACTION.HttpApi).to(HumanInteractionHttpApi).inSingletonScope();
    // One per container (the module object is shared by every container built in a process).
    bind(HUMAN_INTERACTION.TaskViewChanges)
      .toDynamicValue(() => new TaskViewChanges())
      .inSingletonScope();
    bind(HUMAN_INTERACTION.NotificationLinks).to(NotificationActionLinks).inSingletonScope();
    bind(HUMAN_INTERACTION.PublicLinks).to(WebInboxLinks).inSingletonScope();
    bind(HUMAN_INTERACTION.ActOnLink).to(ActOnLink).inSingletonScope();
    for (const pages of WEB_PAGES) bind(HUMAN_INTERACTION.WebPages).to(pages).inSingletonScope();
    bind(HUMAN_INTERACTION.Web).to(HumanInteractionWeb).inSingletonScope();
    bind<HostResolver>(HUMAN_INTERACTION.HostResolver).toConstantValue(new DnsHostResolver());
    bind(HUMAN_INTERACTION.ChannelPreferences).to(ChannelPreferences).inSingletonScope();
    bind(HUMAN_INTERACTION.NotificationChannels)
      .toDynamicValue((ctx) => configuredChannels(options, ctx.get<Clock>(SHARED.Clock)))
      .inSingletonScope();
    bind(HUMAN_INTERACTION.DeliveryOutcomes)
      .toDynamicValue((ctx) => deliveryOutcomesFor(ctx.get(SHARED.MessageQueue, { optional: true })))
      .inSingletonScope();
    bind(HUMAN_INTERACTION.DeliveryContent).to(DeliveryContentBuilder).inSingletonScope();
    bind(HUMAN_INTERACTION.DeliverNotifications).to(DeliverNotifications).inSingletonScope();
    bind(HUMAN_INTERACTION.DeliveryAdmin).to(DeliveryAdmin).inSingletonScope();
    bind<OpsRepositoryFactory>(HUMAN_INTERACTION.OpsRepositories).toConstantValue(postgresOpsRepositories);
    bind<DeadLetterAdmin>(HUMAN_INTERACTION.DeadLetters)
      .toDynamicValue((ctx) => {
        const queue = ctx.get<MessageQueue>(SHARED.MessageQueue);
        if (!isDeadLetterAdmin(queue)) throw new Error('the message queue has no dead-letter tooling: the /ops console needs a DeadLetterAdmin transport');
        return queue;
      })
      .inSingletonScope();
    bind(HUMAN_INTERACTION.OpsConsole).to(OpsConsole).inSingletonScope();
    bind(HUMAN_INTERACTION.TaskAlerts).to(TaskAlerts).inSingletonScope();
    bind(HUMAN_INTERACTION.AlertOnWorkflowStalled).to(AlertOnWorkflowStalled).inSingletonScope();
    bind(HUMAN_INTERACTION.Context).to(HumanInteractionContext).inSingletonScope();
  });
}
