import type { Transition } from '../contracts';

/**
 * What happened to a task. The application layer turns these into outgoing messages that carry
 * the whole snapshot, so the events only say which kind of announcement is owed.
 */
export type TaskEvent =
  | { readonly type: 'TaskCreated'; readonly taskId: string; readonly transition: Transition }
  | { readonly type: 'TaskStatusChanged'; readonly taskId: string; readonly transition: Transition };
