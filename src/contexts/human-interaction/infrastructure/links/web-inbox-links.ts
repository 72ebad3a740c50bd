import { inject, injectable } from 'inversify';
import type { DeliveryLink } from '../../application/deliver-notifications/delivery-content';
import type { PublicLinks } from '../../application/deliver-notifications/public-links';
import type { Notification } from '../../domain/notification';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { actionLinkUrl } from './action-link-signer';
import type { NotificationActionLinks } from './notification-action-links';
import type { PublicAddress } from './public-address';

/** The web inbox's pages under the service's public address. */
@injectable()
export class WebInboxLinks implements PublicLinks {
  constructor(
    // The same tokens the in-app inbox and the JSON API show: one link per notification and action.
    @inject(HUMAN_INTERACTION.NotificationLinks) private readonly links: NotificationActionLinks,
    @inject(HUMAN_INTERACTION.PublicAddress) private readonly address: PublicAddress,
  ) {}

  ready(): boolean {
    return this.address.known() !== undefined;
  }

  of(n: Notification): { links: DeliveryLink[]; taskUrl: string } {
    const base = this.address.get();
    return {
      links: this.links.tokensFor(n).map(({ action, token }) => ({ action, url: actionLinkUrl(base, token) })),
      // An alert about no task (a context without a live worker) points at the workers page.
      taskUrl: n.taskId === null ? `${base}/inbox/ops/workers` : `${base}/inbox/tasks/${encodeURIComponent(n.taskId)}`,
    };
  }
}
