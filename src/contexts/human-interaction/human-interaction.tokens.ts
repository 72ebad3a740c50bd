/** Container tokens of the human-interaction context. */
export const HUMAN_INTERACTION = {
  Context: Symbol.for('human-interaction.Context'),
  HttpApi: Symbol.for('human-interaction.HttpApi'),
  /** The /api route groups HttpApi registers (ApiRoutes; multi-bound, one per group). */
  ApiRoutes: Symbol.for('human-interaction.ApiRoutes'),
  Options: Symbol.for('human-interaction.Options'),
  /** `Idempotency-Key` on the /api POSTs that create or decide (IdempotentRequests). */
  IdempotentRequests: Symbol.for('human-interaction.IdempotentRequests'),
  /** The HumanInteractionRepositoryFactory (postgresHumanInteractionRepositories). */
  Repositories: Symbol.for('human-interaction.Repositories'),
  UserDirectory: Symbol.for('human-interaction.UserDirectory'),
  /** Web sign-outs, stored so every process refuses a signed-out session (SessionRevocations). */
  SessionRevocations: Symbol.for('human-interaction.SessionRevocations'),
  /** Looks up tokens issued at run time (IssuedTokenVerifier). */
  IssuedTokens: Symbol.for('human-interaction.IssuedTokens'),
  /** Admin: issue, list, revoke API tokens (ApiTokens). */
  ApiTokens: Symbol.for('human-interaction.ApiTokens'),
  SubmitRequest: Symbol.for('human-interaction.SubmitRequest'),
  AnswerClarification: Symbol.for('human-interaction.AnswerClarification'),
  DecidePrd: Symbol.for('human-interaction.DecidePrd'),
  CancelTask: Symbol.for('human-interaction.CancelTask'),
  TaskQueries: Symbol.for('human-interaction.TaskQueries'),
  NotificationInbox: Symbol.for('human-interaction.NotificationInbox'),
  SyncTaskView: Symbol.for('human-interaction.SyncTaskView'),
  RecordPrd: Symbol.for('human-interaction.RecordPrd'),
  /** The console's view of the agent pool's switch (RecordAgentPoolOnPoolChanged). */
  RecordAgentPool: Symbol.for('human-interaction.RecordAgentPool'),
  SendNotification: Symbol.for('human-interaction.SendNotification'),
  ResendUnconfirmedRequests: Symbol.for('human-interaction.ResendUnconfirmedRequests'),
  WorkerCoverageAlerts: Symbol.for('human-interaction.WorkerCoverageAlerts'),
  /** The service's public address, for absolute links (see PublicAddress). */
  PublicAddress: Symbol.for('human-interaction.PublicAddress'),
  /** Signs and opens action link tokens (ActionLinkTokens: ActionLinkSigner). */
  LinkSigner: Symbol.for('human-interaction.LinkSigner'),
  /** Absolute web inbox links for email and webhooks (PublicLinks: WebInboxLinks). */
  PublicLinks: Symbol.for('human-interaction.PublicLinks'),
  /** The web inbox under /inbox (HumanInteractionWeb). */
  Web: Symbol.for('human-interaction.Web'),
  /** The /inbox page groups Web registers (WebPages; multi-bound, one per group). */
  WebPages: Symbol.for('human-interaction.WebPages'),
  /** In-process signal that a task view changed (TaskViewChanges), for live task pages. */
  TaskViewChanges: Symbol.for('human-interaction.TaskViewChanges'),
  ActOnLink: Symbol.for('human-interaction.ActOnLink'),
  /** The signed action links of a notification (NotificationActionLinks). */
  NotificationLinks: Symbol.for('human-interaction.NotificationLinks'),
  /** Each person's email / webhook choice (ChannelPreferences). */
  ChannelPreferences: Symbol.for('human-interaction.ChannelPreferences'),
  /** What a webhook host name resolves to, for the set-time egress check (HostResolver: DnsHostResolver). */
  HostResolver: Symbol.for('human-interaction.HostResolver'),
  /** The delivery worker for email and webhook (DeliverNotifications). */
  DeliverNotifications: Symbol.for('human-interaction.DeliverNotifications'),
  /** The configured NotificationChannel[] (email with SMTP_URL, webhook with WEBHOOK_SECRET). */
  NotificationChannels: Symbol.for('human-interaction.NotificationChannels'),
  DeliveryContent: Symbol.for('human-interaction.DeliveryContent'),
  DeliveryOutcomes: Symbol.for('human-interaction.DeliveryOutcomes'),
  /** Admin: list deliveries, retry failed ones (DeliveryAdmin). */
  DeliveryAdmin: Symbol.for('human-interaction.DeliveryAdmin'),
  /** The operators' tables and the shared message trail (OpsRepositoryFactory: postgresOpsRepositories). */
  OpsRepositories: Symbol.for('human-interaction.OpsRepositories'),
  /** The transport's dead-letter tooling (DeadLetterAdmin: the SHARED.MessageQueue). */
  DeadLetters: Symbol.for('human-interaction.DeadLetters'),
  /** The /ops console's service: overview, search, trails, operator actions and their audit log (OpsConsole). */
  OpsConsole: Symbol.for('human-interaction.OpsConsole'),
  /** Raises and resolves alerts about tasks (TaskAlerts). */
  TaskAlerts: Symbol.for('human-interaction.TaskAlerts'),
  /** The workflow-stalled consumer (AlertOnWorkflowStalled). */
  AlertOnWorkflowStalled: Symbol.for('human-interaction.AlertOnWorkflowStalled'),
} as const;
