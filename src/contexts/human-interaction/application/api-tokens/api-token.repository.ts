/** An issued API token as stored: its sha256 only, never the token. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly label: string;
  readonly createdAt: Date;
  /** From this instant on the token is refused; null: it never expires. */
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface ApiTokenRepository {
  insert(token: Omit<ApiTokenRecord, 'lastUsedAt' | 'revokedAt'>, sha256Hex: string): Promise<void>;
  /** Newest first; revoked ones too, so an admin sees what was revoked and when. */
  list(limit: number): Promise<ApiTokenRecord[]>;
  /** Revokes once: a second revoke keeps the first time. Undefined when there is no such token. */
  revoke(id: string, at: Date): Promise<ApiTokenRecord | undefined>;
  /** The token whose sha256 this is (64 lowercase hex digits). */
  findBySha256(sha256Hex: string): Promise<ApiTokenRecord | undefined>;
  /** Records a use; only when the last recorded one is older than `staleBefore`, to spare a write per request. */
  touch(id: string, at: Date, staleBefore: Date): Promise<void>;
}
