import type { Notification } from '../../domain/notification';
import type { DeliveryLink } from './delivery-content';

/** Absolute addresses in the web inbox, for what people read outside the service (email, webhook). */
export interface PublicLinks {
  /** Whether they can be written yet: the public address is known once the service listens (or from PUBLIC_URL). */
  ready(): boolean;
  /** The notification's signed action links and its task page (the workers page for an alert about no task); throws while not `ready`. */
  of(notification: Notification): { readonly links: readonly DeliveryLink[]; readonly taskUrl: string };
}
