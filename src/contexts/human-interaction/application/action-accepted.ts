import type { HumanAction } from '../domain/human-action';

/** What a person's accepted action produced: a command task management will decide on. */
export interface ActionAccepted {
  readonly taskId: string;
  readonly taskVersion: number;
  readonly action: HumanAction;
  readonly messageId: string;
}
