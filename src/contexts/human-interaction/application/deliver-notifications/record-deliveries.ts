import { type AvailableChannels, chosenTargets } from '../channel-preferences/channel-choice';
import type { HumanInteractionRepositories } from '../repositories';

/**
 * Records, in the transaction that creates the notification (the repositories are opened on
 * it), one pending delivery per channel the recipient chose (to the address chosen now) and this
 * service can send. A channel that was chosen but is no longer configured is skipped rather than
 * failed eight times.
 */
export async function recordDeliveries(
  repositories: Pick<HumanInteractionRepositories, 'userChannels' | 'deliveries'>,
  notification: { readonly id: string; readonly recipientId: string },
  available: AvailableChannels,
  now: Date,
): Promise<number> {
  if (!available.email && !available.webhook) return 0;
  const choice = await repositories.userChannels.find(notification.recipientId);
  return repositories.deliveries.insert(notification, chosenTargets(choice, available), now);
}
