/** Container tokens of the human-interaction context. */
export const HUMAN_INTERACTION = {
  Context: Symbol.for('human-interaction.Context'),
  HttpApi: Symbol.for('human-interaction.HttpApi'),
  Options: Symbol.for('human-interaction.Options'),
  UserDirectory: Symbol.for('human-interaction.UserDirectory'),
  SubmitRequest: Symbol.for('human-interaction.SubmitRequest'),
  AnswerClarification: Symbol.for('human-interaction.AnswerClarification'),
  DecidePrd: Symbol.for('human-interaction.DecidePrd'),
  CancelTask: Symbol.for('human-interaction.CancelTask'),
  TaskQueries: Symbol.for('human-interaction.TaskQueries'),
  NotificationInbox: Symbol.for('human-interaction.NotificationInbox'),
  SyncTaskView: Symbol.for('human-interaction.SyncTaskView'),
  RecordPrd: Symbol.for('human-interaction.RecordPrd'),
  SendNotification: Symbol.for('human-interaction.SendNotification'),
  ResendUnconfirmedRequests: Symbol.for('human-interaction.ResendUnconfirmedRequests'),
  /** The service's public address, for absolute links (see PublicAddress). */
  PublicAddress: Symbol.for('human-interaction.PublicAddress'),
  LinkSigner: Symbol.for('human-interaction.LinkSigner'),
} as const;
