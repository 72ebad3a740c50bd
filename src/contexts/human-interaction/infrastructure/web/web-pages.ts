import type { FastifyInstance } from 'fastify';
import type { WebAuth } from './web-auth';

/**
 * One group of /inbox pages (sign-in, inbox, task pages, link pages, …), registered inside the
 * web inbox's encapsulated plugin: its cookie and form parsers, security headers, cross-site
 * check and error pages apply. `auth` says who is signed in. Bound under HUMAN_INTERACTION.WebPages,
 * one binding per group.
 */
export interface WebPages {
  register(inbox: FastifyInstance, auth: WebAuth): void;
}
