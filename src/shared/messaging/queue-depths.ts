/** What a transport can tell about one consumer's queue, at the moment it is asked. */
export interface ConsumerQueueDepth {
  readonly consumer: string;
  /** Messages in the consumer's queue not yet delivered to a handler. */
  readonly waiting: number;
  /** Failed deliveries waiting out their backoff before they are delivered again. */
  readonly retrying: number;
  /** Messages parked in the consumer's dead-letter queue. */
  readonly deadLettered: number;
  /**
   * When the oldest waiting message was created (its `occurredAt`): null when none waits,
   * undefined when the transport cannot see it (RabbitMQ without taking the message).
   */
  readonly oldestWaitingSince?: Date | null;
}

/** A transport that can report the depth of each consumer's queue (both transports here can). */
export interface QueueDepthSource {
  /** One entry per consumer this transport instance subscribed; rejects when the broker cannot be asked. */
  queueDepths(): Promise<readonly ConsumerQueueDepth[]>;
}

export function isQueueDepthSource(queue: object): queue is QueueDepthSource {
  return typeof (queue as Partial<QueueDepthSource>).queueDepths === 'function';
}
