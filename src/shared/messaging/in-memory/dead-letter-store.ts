import { randomUUID } from 'node:crypto';
import { describeError } from '../../kernel/errors';
import { type DeadLetter, matchesReplayFilter, type ReplayFilter } from '../message-queue';
import type { QueuedMessage } from './queued-message';

/** One dead-letter queue per consumer, oldest first. */
export class DeadLetterStore {
  private readonly byConsumer = new Map<string, DeadLetter[]>();

  /** Parks `message` for `consumer` with why its last delivery failed; returns the record. */
  record(consumer: string, message: QueuedMessage, error: unknown, now: Date): DeadLetter {
    const at = now.toISOString();
    const deadLetter: DeadLetter = {
      id: randomUUID(),
      consumer,
      message: message.raw,
      messageType: message.type,
      ...describeError(error),
      attempts: message.attempts,
      firstFailedAt: message.firstFailedAt ?? at,
      lastFailedAt: at,
    };
    const list = this.byConsumer.get(consumer) ?? [];
    list.push(deadLetter);
    this.byConsumer.set(consumer, list);
    return deadLetter;
  }

  list(consumer?: string): DeadLetter[] {
    if (consumer !== undefined) return [...(this.byConsumer.get(consumer) ?? [])];
    return [...this.byConsumer.values()].flat();
  }

  /** Removes and returns the matching dead letters of `consumer`. */
  take(consumer: string, filter: ReplayFilter = {}): DeadLetter[] {
    const list = this.byConsumer.get(consumer) ?? [];
    const taken = list.filter((d) => matchesReplayFilter(d, filter));
    this.byConsumer.set(
      consumer,
      list.filter((d) => !matchesReplayFilter(d, filter)),
    );
    return taken;
  }
}
