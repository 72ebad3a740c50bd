import type { DependencyAvailability } from '../kernel/availability';
import { describeError } from '../kernel/errors';
import type { Logger } from '../logging/logger';
import type { MessageQueue, Subscription } from './message-queue';

export interface OutageAwareOptions {
  readonly availability: DependencyAvailability;
  readonly logger: Logger;
  /** Aborted when the process stops: a handler still waiting out an outage then fails as it would have. */
  readonly signal: AbortSignal;
}

function waitingOutOutages(subscription: Subscription, options: OutageAwareOptions): Subscription {
  const { handler, consumer } = subscription;
  const { availability, logger, signal } = options;
  return {
    ...subscription,
    handler: async (message, delivery) => {
      // Known to be down: do not even try (the transport holds the message; prefetch bounds how many).
      await availability.whenAvailable(signal);
      for (;;) {
        try {
          await handler(message, delivery);
          return;
        } catch (error) {
          const outage = signal.aborted ? undefined : await availability.diagnose(error);
          if (!outage) throw error;
          logger.debug(
            { consumer, messageId: message.messageId, messageType: message.type, dependency: outage.dependency, err: describeError(error) },
            'handler failed on an outage; holding the message until it ends (no attempt counted)',
          );
          if (!(await availability.whenAvailable(signal))) throw error;
        }
      }
    },
  };
}

/**
 * The queue as the contexts subscribe to it, with a handler that fails because a dependency is
 * down (a probe confirms it: see `DependencyAvailability`) held and run again once the dependency
 * answers, instead of failing to the transport: an outage spends none of the message's attempts,
 * so the retry budget and the dead-letter queue stay for messages that fail on their own. The
 * transport keeps the message unacknowledged meanwhile (at most its prefetch per consumer), so a
 * consumer takes no more deliveries than it holds. Publishing and closing go straight to `queue`.
 */
export function outageAwareQueue(queue: MessageQueue, options: OutageAwareOptions): MessageQueue {
  return {
    publishEvent: (message, publish) => queue.publishEvent(message, publish),
    publishCommand: (message, publish) => queue.publishCommand(message, publish),
    subscribeToEvents: (subscription) => queue.subscribeToEvents(waitingOutOutages(subscription, options)),
    subscribeToCommands: (subscription) => queue.subscribeToCommands(waitingOutOutages(subscription, options)),
    close: () => queue.close(),
  };
}
