import { z } from 'zod';
import { ROLES } from './domain/user';

export const configuredUserSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1),
  /** A bearer token; kept only as a sha256 once loaded, never logged. */
  token: z.string().min(8),
});
export type ConfiguredUser = z.infer<typeof configuredUserSchema>;

export const humanInteractionOptionsSchema = z.object({
  users: z.array(configuredUserSchema).refine((users) => new Set(users.map((u) => u.id)).size === users.length, 'user ids must be unique'),
  /** A submission task management has not confirmed after this long is sent again. */
  resendUnconfirmedAfterMs: z.number().int().positive().default(60_000),
  /** How often to look for such submissions; 0 turns the sweep off. */
  resendSweepIntervalMs: z.number().int().nonnegative().default(30_000),
});
export type HumanInteractionOptions = z.input<typeof humanInteractionOptionsSchema>;
