import type { Envelope } from '../../src/shared/messaging/envelope';
import type { InMemoryMessageQueue } from '../../src/shared/messaging/in-memory/in-memory-message-queue';

/** What `dropPublished` installed: how many it dropped so far, and the switch that stops it. */
export interface Dropping {
  readonly dropped: number;
  /** Publishes pass again from now on (what was dropped stays lost). */
  stop(): void;
}

/**
 * Makes the in-memory transport lose every published message (event or command) `drop` picks,
 * before any consumer sees it, as a message dead-lettered everywhere would be: the outbox marks
 * it sent, so only a repair brings its effect back. Every other message passes.
 */
export function dropPublished(transport: InMemoryMessageQueue, drop: (envelope: Envelope) => boolean): Dropping {
  const publishEvent = transport.publishEvent.bind(transport);
  const publishCommand = transport.publishCommand.bind(transport);
  let dropped = 0;
  let active = true;
  const dropping = (envelope: Envelope): boolean => {
    if (!active || !drop(envelope)) return false;
    dropped += 1;
    return true;
  };
  transport.publishEvent = async (envelope, options) => (dropping(envelope) ? undefined : publishEvent(envelope, options));
  transport.publishCommand = async (envelope, options) => (dropping(envelope) ? undefined : publishCommand(envelope, options));
  return {
    get dropped() {
      return dropped;
    },
    stop: () => {
      active = false;
    },
  };
}

/**
 * Makes the in-memory transport lose one consumer's copy of the messages `drop` picks (by the
 * consumer's queue name and the envelope), as the convergence test's faults do: the other
 * consumers still get theirs. Counts what it dropped; `stop` lets everything pass again.
 */
export function dropDelivered(transport: InMemoryMessageQueue, drop: (consumer: string, envelope: Envelope) => boolean): Dropping {
  // The transport's first-delivery hook is private; the fault injector uses the same one.
  const hooked = transport as unknown as { enqueueFirstDelivery(queue: { readonly name: string }, message: { readonly raw: unknown }): void };
  const enqueue = hooked.enqueueFirstDelivery.bind(transport);
  let dropped = 0;
  let active = true;
  hooked.enqueueFirstDelivery = (queue, message) => {
    if (active && drop(queue.name, message.raw as Envelope)) {
      dropped += 1;
      return;
    }
    enqueue(queue, message);
  };
  return {
    get dropped() {
      return dropped;
    },
    stop: () => {
      active = false;
    },
  };
}
