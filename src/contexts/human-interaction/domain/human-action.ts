/**
 * The commands a person causes. Each is recorded once per task version, which both refuses a
 * second identical action and lets a lost command be re-sent with the same message id.
 */
export const HUMAN_ACTIONS = ['create', 'answer', 'approve', 'reject', 'cancel'] as const;
export type HumanAction = (typeof HUMAN_ACTIONS)[number];

/** Approve and reject answer the same question: a PRD version gets one decision per task version. */
export const PRD_DECISIONS: readonly HumanAction[] = ['approve', 'reject'];

/** A task submitted here gets this version until task management confirms it. */
export const UNCONFIRMED_VERSION = 0;
