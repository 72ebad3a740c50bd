export const ROLES = ['requester', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A person known to Refinery. Identity comes from configuration; no credentials live here. */
export interface User {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
}

export function hasRole(user: User, role: Role): boolean {
  return user.roles.includes(role);
}

/** `user:<id>`: how a person appears as the actor of a transition. */
export function actorOf(user: User): string {
  return `user:${user.id}`;
}

/** The people the application layer may look up (the HTTP layer authenticates them). */
export interface UserDirectory {
  findById(id: string): User | undefined;
  /** The first configured user with the role, in configuration order. */
  firstWithRole(role: Role): User | undefined;
}
