import { NotAllowedError } from './human-interaction.errors';

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

/** Admin operations (tokens, deliveries) refuse everyone else. */
export function assertIsAdmin(user: User): void {
  if (!hasRole(user, 'admin')) throw new NotAllowedError(`${user.id} is not an admin`);
}

/** The people the application layer may look up (the HTTP layer authenticates them). */
export interface UserDirectory {
  findById(id: string): User | undefined;
  /** The first configured user with the role, in configuration order; `exceptId` is passed over. */
  firstWithRole(role: Role, exceptId?: string): User | undefined;
}
