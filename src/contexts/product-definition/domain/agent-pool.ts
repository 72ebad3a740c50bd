/** The operators' switch of one agent pool: while `paused`, no process of this context claims work for it. */
export interface AgentPoolSwitch {
  readonly pool: string;
  readonly paused: boolean;
  /** Who set it last (a user id); null when nobody ever has. */
  readonly by: string | null;
  readonly reason: string | null;
  /** When the switch last changed; null when it never has. */
  readonly changedAt: Date | null;
  /** The `occurredAt` of the newest command applied: an older one arriving late changes nothing. */
  readonly requestedAt: Date | null;
}

/** A pool nobody has switched yet runs. */
export const runningPool = (pool: string): AgentPoolSwitch => ({ pool, paused: false, by: null, reason: null, changedAt: null, requestedAt: null });

export interface AgentPoolRepository {
  /** The switch as stored, or a running pool when it has no row yet. */
  find(pool: string): Promise<AgentPoolSwitch>;
  /** Locks the pool's row (creating a running one first), so concurrent commands apply one after the other. */
  lock(pool: string): Promise<AgentPoolSwitch>;
  save(state: AgentPoolSwitch): Promise<void>;
}
