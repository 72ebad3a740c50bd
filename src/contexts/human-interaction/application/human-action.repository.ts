import type { Envelope } from '../../../shared/messaging/envelope';
import type { HumanAction } from '../domain/human-action';

export interface RecordedAction {
  readonly taskId: string;
  readonly taskVersion: number;
  readonly action: HumanAction;
  /** The command as it was first sent; a re-send reuses its message id. */
  readonly envelope: Envelope;
}

/** The commands people caused, one per task version and action (see sendHumanAction). */
export interface HumanActionRepository {
  /** Returns false when this action was already recorded for this task version. */
  record(action: RecordedAction, at: Date): Promise<boolean>;
  /** The actions recorded at one task version, oldest first. */
  at(taskId: string, taskVersion: number): Promise<RecordedAction[]>;
  markResent(action: RecordedAction, at: Date): Promise<void>;
  /**
   * Submissions task management has not confirmed (the view is still at version 0) and that were
   * last sent before `sentBefore`: their create-task command may have been lost. Locked so that
   * several processes never re-send the same one at once.
   */
  unconfirmedSubmissions(sentBefore: Date, limit: number): Promise<RecordedAction[]>;
}
