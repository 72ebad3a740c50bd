import type { ContractRegistry } from '../contract-registry';
import type { MessageKind } from '../envelope';
import type { Subscription } from '../message-queue';

/**
 * The same refusals as the in-memory transport. The one-consumer-per-command rule is checked
 * within this process only: the broker cannot tell us which other queues a command type is bound to.
 */
export function checkSubscription(registry: ContractRegistry, kind: MessageKind, { consumer, types }: Subscription, commandOwners: ReadonlyMap<string, string>): void {
  if (consumer.trim() === '') throw new Error('a subscription needs a consumer name');
  if (types.length === 0) throw new Error(`consumer ${consumer} subscribes to no message types`);
  const method = kind === 'event' ? 'subscribeToEvents' : 'subscribeToCommands';
  for (const type of types) {
    const actual = registry.kindOf(type);
    if (actual === undefined) throw new Error(`consumer ${consumer} cannot subscribe to ${type}: no contract is registered for it`);
    if (actual !== kind) throw new Error(`consumer ${consumer} cannot subscribe to ${type} with ${method}: it is a ${actual}`);
    const owner = commandOwners.get(type);
    if (kind === 'command' && owner !== undefined && owner !== consumer) {
      throw new Error(`command ${type} is already handled by consumer ${owner}; a command has exactly one handling consumer, so ${consumer} cannot subscribe to it`);
    }
  }
}
