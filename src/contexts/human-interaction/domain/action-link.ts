import { createHash } from 'node:crypto';
import { alertActionsFor } from './alert';

/** What a link in a notification lets its recipient do, once (`redrive`: an alert recipient's "re-drive now"). */
export const LINK_ACTIONS = ['answer', 'approve', 'reject', 'redrive'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

/**
 * What a signed action link is bound to: one person, one task at one version (and, for a
 * decision, one PRD version), one action, until it expires. The claims travel inside the link,
 * signed; only the fact that a link was used is stored.
 */
export interface ActionLinkClaims {
  /** Derived from the notification and the action: the email and the in-app inbox carry the same link. */
  readonly linkId: string;
  readonly notificationId: string;
  readonly userId: string;
  readonly taskId: string;
  readonly action: LinkAction;
  readonly taskVersion: number;
  readonly prdVersion: number | null;
  readonly expiresAt: Date;
}

/** Why a link does nothing; each reason has its own page telling the person what to do instead. */
export const LINK_REFUSALS = ['malformed', 'tampered', 'expired', 'used', 'superseded', 'not-allowed'] as const;
export type LinkRefusal = (typeof LINK_REFUSALS)[number];

export interface LinkSource {
  readonly notificationId: string;
  readonly recipientId: string;
  readonly taskId: string;
  readonly taskVersion: number;
  readonly prdVersion: number | null;
  readonly createdAt: Date;
}

/** The links a notification carries: answer for questions, approve and reject for a PRD, an alert's own (see ALERT_KIND_SPECS). */
export function actionsFor(kind: string): readonly LinkAction[] {
  if (kind === 'clarification-requested') return ['answer'];
  if (kind === 'prd-ready-for-review') return ['approve', 'reject'];
  return alertActionsFor(kind);
}

/** The claims of a notification's link: the same notification and action always give the same link. */
export function linkClaimsFor(source: LinkSource, action: LinkAction, ttlMs: number): ActionLinkClaims {
  const linkId = createHash('sha256').update(`${source.notificationId}\u0000${action}`).digest('base64url').slice(0, 22);
  return {
    linkId,
    notificationId: source.notificationId,
    userId: source.recipientId,
    taskId: source.taskId,
    action,
    taskVersion: source.taskVersion,
    prdVersion: source.prdVersion,
    expiresAt: new Date(source.createdAt.getTime() + ttlMs),
  };
}
