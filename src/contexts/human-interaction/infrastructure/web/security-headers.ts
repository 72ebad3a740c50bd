/**
 * Sent with every page. Scripts and styles come only from this service's files (no inline code,
 * so injected markup could not run even if escaping failed); no framing (clickjacking); and no
 * Referer, because a link page's URL is its token.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
