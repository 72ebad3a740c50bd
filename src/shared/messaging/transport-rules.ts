import type { ContractRegistry } from './contract-registry';
import type { Envelope, MessageKind } from './envelope';
import { InvalidMessageError } from './errors';
import type { Subscription } from './message-queue';

/**
 * The refusals every transport makes when subscribing. RabbitMQ checks the
 * one-consumer-per-command rule within its process only: the broker cannot tell it which other
 * queues a command type is bound to.
 */
export function checkSubscription(
  registry: ContractRegistry,
  kind: MessageKind,
  { consumer, types }: Subscription,
  commandOwners: ReadonlyMap<string, string>,
): void {
  if (consumer.trim() === '') throw new Error('a subscription needs a consumer name');
  if (types.length === 0) throw new Error(`consumer ${consumer} subscribes to no message types`);
  const method = kind === 'event' ? 'subscribeToEvents' : 'subscribeToCommands';
  for (const type of types) {
    const actual = registry.kindOf(type);
    if (actual === undefined) throw new Error(`consumer ${consumer} cannot subscribe to ${type}: no contract is registered for it`);
    if (actual !== kind) throw new Error(`consumer ${consumer} cannot subscribe to ${type} with ${method}: it is a ${actual}`);
    const owner = commandOwners.get(type);
    if (kind === 'command' && owner !== undefined && owner !== consumer) {
      throw new Error(
        `command ${type} is already handled by consumer ${owner}; a command has exactly one handling consumer, so ${consumer} cannot subscribe to it`,
      );
    }
  }
}

/** Validates a message about to be published as `kind`; the error names the publish method to use. */
export function checkPublish(registry: ContractRegistry, kind: MessageKind, raw: unknown): Envelope {
  const envelope = registry.validate(raw);
  if (envelope.kind !== kind) {
    throw new InvalidMessageError(envelope.type, [
      `kind: ${envelope.type} is a ${envelope.kind}; publish it with publish${envelope.kind === 'event' ? 'Event' : 'Command'}`,
    ]);
  }
  return envelope;
}
