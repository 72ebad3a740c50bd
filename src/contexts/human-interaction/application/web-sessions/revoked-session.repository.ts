/** Web sessions ended by signing out, kept until they would have expired anyway. */
export interface RevokedSessionRepository {
  /** Records the sign-out (a second one changes nothing) and forgets sign-outs of sessions expired before `now`. */
  revoke(sessionId: string, userId: string, until: Date, now: Date): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}
