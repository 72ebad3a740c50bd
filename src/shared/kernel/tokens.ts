/** Container tokens for what the composition root provides to every context. */
export const SHARED = {
  MessageQueue: Symbol.for('shared.MessageQueue'),
  UnitOfWork: Symbol.for('shared.UnitOfWork'),
  Logger: Symbol.for('shared.Logger'),
  Clock: Symbol.for('shared.Clock'),
  /** This process's id in the worker registry (a string): the lease owner of what it claims. */
  InstanceId: Symbol.for('shared.InstanceId'),
  /** The transport's depth of each consumer queue this process subscribed (QueueDepthSource). */
  QueueDepths: Symbol.for('shared.QueueDepths'),
  /** Whether PostgreSQL answers (DependencyAvailability): consumers wait out outages, HTTP answers 503. */
  Availability: Symbol.for('shared.Availability'),
} as const;
