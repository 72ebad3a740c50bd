import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { tokenRefusalOf } from '../../shared/auth/token-refusal';
import { bearerTokenOf } from '../../shared/auth/token-table';
import type { Logger } from '../../shared/logging/logger';
import type { Config } from '../config';

export type AuthLimitSettings = Pick<
  Config,
  'RATE_LIMIT_WINDOW_MS' | 'AUTH_FAILURE_LIMIT' | 'AUTH_FAILURE_LIMIT_OVERALL' | 'SIGN_IN_LIMIT' | 'LINK_POST_LIMIT'
>;

export interface AuthLimitDeps {
  readonly logger: Logger;
  readonly registry: Registry;
}

/** Why a request was refused, as `refinery_auth_failures_total{reason}` and the log line say it. */
export type AuthFailureReason =
  'missing-credentials' | 'malformed-credentials' | 'unknown-token' | 'expired' | 'sign-in-refused' | 'no-session' | 'forbidden' | 'throttled';

/** The form posts limited per client address: the sign-in, and every action link's form. */
const LIMITED_POSTS: Record<string, keyof AuthLimitSettings> = {
  '/inbox/login': 'SIGN_IN_LIMIT',
  '/inbox/links/*': 'LINK_POST_LIMIT',
};

/**
 * Anti-automation and an account of every refusal, for the whole HTTP server (API, admin routes,
 * web inbox), in the composition root so that every route is covered whichever context owns it:
 *
 * - Failed authentications (any 401) are counted per client address and overall within
 *   RATE_LIMIT_WINDOW_MS; once an address has AUTH_FAILURE_LIMIT of them (or all addresses
 *   together AUTH_FAILURE_LIMIT_OVERALL), each request of it that authenticates (a bearer token,
 *   /api, /admin, the sign-in form) gets 429 with Retry-After until the window ends, whether its
 *   token is right or wrong: a right token must not be told apart while guessing is throttled.
 * - POST /inbox/login and the action-link form posts are limited per address (SIGN_IN_LIMIT,
 *   LINK_POST_LIMIT), failed or not.
 * - Every 401, 403 and throttled request is logged (client address, method, route pattern,
 *   reason; never a token, a cookie or the URL itself, which for a link holds its token) and
 *   counted in `refinery_auth_failures_total{reason}`. An issued token past its expiry is refused
 *   as an unknown one is (the same 401), but logged with reason `expired` and the token's id.
 *
 * The counts live in this process (@fastify/rate-limit's in-memory store): with several
 * processes behind a balancer, each counts its own share.
 */
export async function registerAuthLimits(http: FastifyInstance, settings: AuthLimitSettings, deps: AuthLimitDeps): Promise<void> {
  const failures = new Counter({
    name: 'refinery_auth_failures_total',
    help: 'Requests refused for authentication (401), access (403) or too many failed authentications (429), by reason',
    labelNames: ['reason'],
    registers: [deps.registry],
  });
  const window = settings.RATE_LIMIT_WINDOW_MS;
  // Before the plugin's own onRoute hook, which reads the limit from the route's config.
  http.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const setting = LIMITED_POSTS[route.url];
    if (setting === undefined || !methods.includes('POST')) return;
    route.config = { ...(route.config ?? {}), rateLimit: { max: settings[setting], timeWindow: window } };
  });
  await http.register(rateLimit, {
    global: false,
    timeWindow: window,
    errorResponseBuilder: (_request, context) => Object.assign(new Error(`too many requests; retry in ${context.after}`), { statusCode: 429 }),
  });
  const perAddress = http.createRateLimit({ max: settings.AUTH_FAILURE_LIMIT, timeWindow: window });
  const overall = http.createRateLimit({ max: settings.AUTH_FAILURE_LIMIT_OVERALL, timeWindow: window, keyGenerator: () => 'all addresses' });
  const reasons = new WeakMap<FastifyRequest, AuthFailureReason>();
  // One "throttled" line per address and window, not one per refused request (a flood would flood the log).
  const throttledUntil = new Map<string, number>();
  const logThrottled = (request: FastifyRequest, retryAfter: number) => {
    const now = Date.now();
    if ((throttledUntil.get(request.ip) ?? 0) > now) return;
    if (throttledUntil.size >= 10_000) throttledUntil.clear();
    throttledUntil.set(request.ip, now + retryAfter * 1_000);
    deps.logger.warn(
      {
        address: request.ip,
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        status: 429,
        reason: 'throttled',
        retryAfterSeconds: retryAfter,
      },
      'authentication throttled: too many failed authentications; refusing this address until the window ends',
    );
  };

  const log = (request: FastifyRequest, status: number, reason: AuthFailureReason, extra: Record<string, unknown> = {}) => {
    failures.inc({ reason });
    deps.logger.warn(
      { address: request.ip, method: request.method, route: request.routeOptions.url ?? '(no route)', status, reason, ...extra },
      status === 403 ? 'access refused' : 'authentication refused',
    );
  };

  http.addHook('onRequest', async (request, reply) => {
    if (!authenticates(request)) return undefined;
    // Read only: a request counts when it fails, not when it arrives.
    const [mine, everyone] = await Promise.all([perAddress(request, { increment: false }), overall(request, { increment: false })]);
    // Full once it holds `max` failures: the next attempt is refused, not counted and answered.
    const waits = [mine, everyone].flatMap((limit) => (!limit.isAllowed && limit.remaining === 0 ? [limit.ttlInSeconds] : []));
    if (waits.length === 0) return undefined;
    const retryAfter = Math.max(1, ...waits);
    reasons.set(request, 'throttled');
    logThrottled(request, retryAfter);
    return refuse(request, reply, retryAfter);
  });

  http.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode;
    if (status === 401) {
      const refusal = tokenRefusalOf(request);
      await Promise.all([perAddress(request), overall(request)]);
      if (refusal) log(request, status, refusal.reason, { tokenId: refusal.tokenId });
      else log(request, status, reasonOf(request));
    } else if (status === 403) {
      log(request, status, 'forbidden');
    } else if (status === 429 && reasons.get(request) === 'throttled') {
      failures.inc({ reason: 'throttled' });
    } else if (status === 429) {
      log(request, status, 'throttled', { limit: 'form posts' });
    }
    return payload;
  });
}

/** A request that presents a credential, or reaches a route that needs one. */
function authenticates(request: FastifyRequest): boolean {
  if (request.headers.authorization !== undefined) return true;
  const path = request.url.split('?', 1)[0] ?? '';
  return path.startsWith('/api/') || path.startsWith('/admin/') || (request.method === 'POST' && path === '/inbox/login');
}

function reasonOf(request: FastifyRequest): AuthFailureReason {
  if (request.method === 'POST' && request.routeOptions.url === '/inbox/login') return 'sign-in-refused';
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return bearerTokenOf(authorization) === undefined ? 'malformed-credentials' : 'unknown-token';
  return request.url.startsWith('/inbox') ? 'no-session' : 'missing-credentials';
}

function refuse(request: FastifyRequest, reply: FastifyReply, retryAfter: number): FastifyReply {
  reply.code(429).header('retry-after', String(retryAfter));
  if (request.url.startsWith('/inbox')) {
    return reply.type('text/plain; charset=utf-8').send(`Too many failed sign-ins from your address. Try again in ${retryAfter} seconds.`);
  }
  return reply.send({ error: 'too_many_requests', message: `too many failed authentications from this address; retry in ${retryAfter} s` });
}
