import type { FastifyInstance } from 'fastify';
import type { RequestUsers } from './bearer-auth';

/**
 * One group of /api routes (tasks, notifications, tokens, …), registered inside the API's
 * encapsulated plugin: the bearer auth hook has run before any of them, and `users` says who is
 * calling. Bound under HUMAN_INTERACTION.ApiRoutes, one binding per group.
 */
export interface ApiRoutes {
  register(api: FastifyInstance, users: RequestUsers): void;
}
