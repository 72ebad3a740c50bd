import type { Envelope } from './envelope';

/** What the transport knows about one delivery (a transport that cannot tell passes nothing). */
export interface DeliveryInfo {
  readonly consumer: string;
  /** 1 on the first delivery; n on the n-th, retries included. */
  readonly attempt: number;
  /** Delivered before: a retry, or a requeue after a consumer was lost. */
  readonly redelivered: boolean;
}

export type MessageHandler = (message: Envelope, delivery?: DeliveryInfo) => Promise<void>;

export interface Subscription {
  /** Names the consumer's own queue: `<context>.<purpose>`, e.g. `orchestration.task-projection`. */
  readonly consumer: string;
  /** The message types this consumer wants. */
  readonly types: readonly string[];
  readonly handler: MessageHandler;
  /** Deliver messages with the same key one at a time, in order (at the cost of parallelism). */
  readonly orderedByKey?: boolean;
}

export interface PublishOptions {
  /** Deliver no earlier than this many milliseconds from now. */
  readonly delayMs?: number;
}

export type Unsubscribe = () => Promise<void>;

/** The port every context talks through. Publishing and consuming both validate against contracts. */
export interface MessageQueue {
  publishEvent(message: Envelope, options?: PublishOptions): Promise<void>;
  publishCommand(message: Envelope, options?: PublishOptions): Promise<void>;
  subscribeToEvents(subscription: Subscription): Promise<Unsubscribe>;
  subscribeToCommands(subscription: Subscription): Promise<Unsubscribe>;
  close(): Promise<void>;
}

export interface DeadLetter {
  /** Stable id of this dead letter within its consumer's dead-letter queue. */
  readonly id: string;
  readonly consumer: string;
  /** The envelope as it was stored: an Envelope, unless what was dead-lettered was not one. */
  readonly message: unknown;
  readonly messageType: string;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
}

export interface ReplayFilter {
  readonly id?: string;
  readonly type?: string;
}

/** Whether a dead letter is one the filter selects (no id and no type select every one). */
export function matchesReplayFilter(deadLetter: DeadLetter, filter: ReplayFilter): boolean {
  return (filter.id === undefined || deadLetter.id === filter.id) && (filter.type === undefined || deadLetter.messageType === filter.type);
}

/** Dead-letter tooling: the same operations on every transport. */
export interface DeadLetterAdmin {
  listDeadLetters(consumer?: string): Promise<DeadLetter[]>;
  /** Puts matching dead letters back on their consumer's queue; returns how many. */
  replayDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number>;
  purgeDeadLetters(consumer: string, filter?: ReplayFilter): Promise<number>;
}

/** A failed delivery the transport will try again after `delayMs`. */
export interface RetryScheduledEvent {
  readonly consumer: string;
  readonly message: Envelope;
  /** Failed deliveries so far (the next delivery is number `attempt + 1`). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface DeadLetteredEvent {
  readonly deadLetter: DeadLetter;
  readonly error: unknown;
}

/**
 * Lets a transport report what only it knows (retries it scheduled, dead letters it wrote), so
 * monitoring can count them without knowing the transport. Observers must not throw.
 */
export interface DeliveryObserver {
  retryScheduled?(event: RetryScheduledEvent): void;
  deadLettered?(event: DeadLetteredEvent): void;
}

export interface ObservableDelivery {
  /** Returns a function that detaches the observer. */
  addDeliveryObserver(observer: DeliveryObserver): () => void;
}

export function isObservableDelivery(queue: object): queue is ObservableDelivery {
  return typeof (queue as Partial<ObservableDelivery>).addDeliveryObserver === 'function';
}

export function isDeadLetterAdmin(queue: object): queue is DeadLetterAdmin {
  const admin = queue as Partial<DeadLetterAdmin>;
  return typeof admin.listDeadLetters === 'function' && typeof admin.replayDeadLetters === 'function' && typeof admin.purgeDeadLetters === 'function';
}
