import type { Envelope } from '../../src/shared/messaging/envelope';
import type { InMemoryMessageQueue } from '../../src/shared/messaging/in-memory/in-memory-message-queue';

/** What `dropPublished` installed: how many it dropped so far, and the switch that stops it. */
export interface Dropping {
  readonly dropped: number;
  /** Publishes pass again from now on (what was dropped stays lost). */
  stop(): void;
}

/**
 * Makes the in-memory transport lose every published event `drop` picks, before any consumer
 * sees it, as a message dead-lettered everywhere would be: the outbox marks it sent, so only a
 * repair brings its effect back. Commands and other events pass.
 */
export function dropPublishedEvents(transport: InMemoryMessageQueue, drop: (envelope: Envelope) => boolean): Dropping {
  const publish = transport.publishEvent.bind(transport);
  let dropped = 0;
  let active = true;
  transport.publishEvent = async (envelope, options) => {
    if (active && drop(envelope)) {
      dropped += 1;
      return;
    }
    return publish(envelope, options);
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
