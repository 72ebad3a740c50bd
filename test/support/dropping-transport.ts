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
