/** Container tokens for what the composition root provides to every context. */
export const SHARED = {
  MessageQueue: Symbol.for('shared.MessageQueue'),
  UnitOfWork: Symbol.for('shared.UnitOfWork'),
  Logger: Symbol.for('shared.Logger'),
  Clock: Symbol.for('shared.Clock'),
} as const;
