import type { EntityManager } from 'typeorm';
import { insertDeliveries } from '../../infrastructure/persistence/sql-deliveries';
import { findUserChannels } from '../../infrastructure/persistence/sql-user-channels';
import { type AvailableChannels, chosenTargets } from '../channel-preferences/channel-choice';

/**
 * Records, in the transaction that creates the notification, one pending delivery per channel
 * the recipient chose (to the address chosen now) and this service can send. A channel that was
 * chosen but is no longer configured is skipped rather than failed eight times.
 */
export async function recordDeliveries(
  manager: EntityManager,
  notification: { readonly id: string; readonly recipientId: string },
  available: AvailableChannels,
  now: Date,
): Promise<number> {
  if (!available.email && !available.webhook) return 0;
  const choice = await findUserChannels(manager, notification.recipientId);
  return insertDeliveries(manager, notification, chosenTargets(choice, available), now);
}
