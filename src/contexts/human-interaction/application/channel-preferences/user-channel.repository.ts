import type { ChannelChoice } from './channel-choice';

/** Each person's channel choice. */
export interface UserChannelRepository {
  /** A person who never chose has the in-app inbox only. */
  find(userId: string): Promise<ChannelChoice>;
  /** Replaces the person's choice (PUT semantics: what is not chosen is off). */
  save(userId: string, choice: ChannelChoice, at: Date): Promise<void>;
}
