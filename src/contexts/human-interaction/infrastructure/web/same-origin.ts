import type { FastifyRequest } from 'fastify';

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a state-changing request comes from this site's own pages (cross-site request forgery
 * check). Browsers say where a request comes from: `Sec-Fetch-Site` (modern ones), else `Origin`,
 * else `Referer`. Our pages send `Referrer-Policy: no-referrer`, so a same-origin form post may
 * carry `Origin: null`; Sec-Fetch-Site is what recognises it. A request with none of the three
 * is refused: every browser in use sends at least one with a form post, so such a request comes
 * from something that hides where it comes from (the session cookie is SameSite=Lax too).
 */
export function comesFromThisSite(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string') return fetchSite === 'same-origin';
  const allowed = new Set<string>();
  const publicOrigin = publicUrl ? originOf(publicUrl) : undefined;
  if (publicOrigin) allowed.add(publicOrigin);
  const host = request.headers.host;
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  const origin = request.headers.origin;
  if (typeof origin === 'string') return allowed.has(origin);
  const referer = request.headers.referer;
  if (typeof referer === 'string') {
    const refererOrigin = originOf(referer);
    return refererOrigin !== undefined && allowed.has(refererOrigin);
  }
  return false;
}

/**
 * Whether a form post's body is what the pages' forms send: application/x-www-form-urlencoded
 * (parameters such as a charset allowed). Anything else (JSON, text/plain, multipart, none) is
 * refused before it is parsed: a form on another site can send text/plain, and a body the forms
 * never send has no business here.
 */
export function isFormPost(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}
