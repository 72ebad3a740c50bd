import type { FastifyInstance } from 'fastify';

/**
 * The security headers of every response, in one place: what each kind of route gets, and the one
 * app-level hook that sets them (registerSecurityHeaders). Headers a route set itself are kept
 * (the inbox's style sheet and script are cached, say).
 */

/** Every response: no content sniffing, no framing (clickjacking), no Referer (a link page's URL is its token). */
const EVERY_RESPONSE: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * /api and /admin: JSON nobody should keep (notifications carry live action links, tasks the PRD)
 * or render: no cache, and a policy that lets the response load and frame nothing.
 */
const JSON_API: Readonly<Record<string, string>> = {
  ...EVERY_RESPONSE,
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/**
 * /inbox pages: scripts and styles only from this service's files (no inline code, so injected
 * markup could not run even if escaping failed), forms only to it; a person's pages are not cached.
 */
const PAGES: Readonly<Record<string, string>> = {
  ...EVERY_RESPONSE,
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
};

const under = (url: string, prefix: string) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);

/** The headers a response to this request URL (path and query) gets. */
export function securityHeadersFor(url: string): Readonly<Record<string, string>> {
  if (under(url, '/api') || under(url, '/admin')) return JSON_API;
  if (under(url, '/inbox')) return PAGES;
  return EVERY_RESPONSE;
}

/**
 * Sets them on every response fastify sends, refusals included (401, 404, 413, 429, errors): an
 * onSend hook on the root instance, registered before any route so every route inherits it. A
 * route that takes the response over (a live stream) sends `securityHeadersFor` itself.
 */
export function registerSecurityHeaders(http: FastifyInstance): void {
  http.addHook('onSend', async (request, reply) => {
    for (const [name, value] of Object.entries(securityHeadersFor(request.url))) if (!reply.hasHeader(name)) reply.header(name, value);
  });
}
