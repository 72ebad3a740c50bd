import { inject, injectable } from 'inversify';
import type { ActionLinkTokens } from '../../application/act-on-link/action-link-tokens';
import { actionsFor, type LinkAction, type LinkSource, linkClaimsFor } from '../../domain/action-link';
import type { Notification } from '../../domain/notification';
import type { HumanInteractionOptions } from '../../human-interaction.options';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { actionLinkUrl } from './action-link-signer';
import type { PublicAddress } from './public-address';

export interface NotificationActionLink {
  readonly action: LinkAction;
  readonly token: string;
}

/** What a link acts on; undefined for a notification about no task, which carries no link. */
export function linkSourceOf(n: Notification): LinkSource | undefined {
  if (n.taskId === null || n.taskVersion === null) return undefined;
  return { notificationId: n.id, recipientId: n.recipientId, taskId: n.taskId, taskVersion: n.taskVersion, prdVersion: n.prdVersion, createdAt: n.createdAt };
}

/** Where a link token is used, relative to the service (pages link to it like this). */
export const linkPath = (token: string): string => `/inbox/links/${token}`;

/**
 * The signed links a notification carries, the same wherever it is shown (inbox page, JSON API,
 * email, webhook): they are derived from the notification, so each exists once and works once.
 */
@injectable()
export class NotificationActionLinks {
  private readonly ttlMs: number;

  constructor(
    @inject(HUMAN_INTERACTION.LinkSigner) private readonly signer: ActionLinkTokens,
    @inject(HUMAN_INTERACTION.PublicAddress) private readonly address: PublicAddress,
    @inject(HUMAN_INTERACTION.Options) options: HumanInteractionOptions,
  ) {
    this.ttlMs = options.linkTtlMs;
  }

  tokensFor(n: Notification): NotificationActionLink[] {
    const source = linkSourceOf(n);
    if (source === undefined) return [];
    return actionsFor(n.kind).map((action) => ({ action, token: this.signer.sign(linkClaimsFor(source, action, this.ttlMs)) }));
  }

  /**
   * Absolute URLs under the public address, keyed by action (for the JSON API). Before the service
   * listens without PUBLIC_URL (in-process tests only) no address is known: paths, then.
   */
  urlsFor(n: Notification): Partial<Record<LinkAction, string>> {
    const base = this.address.known();
    return Object.fromEntries(this.tokensFor(n).map(({ action, token }) => [action, base === undefined ? linkPath(token) : actionLinkUrl(base, token)]));
  }
}
