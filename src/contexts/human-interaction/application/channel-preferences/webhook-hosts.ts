/**
 * One entry of WEBHOOK_ALLOWED_HOSTS: an ASCII host name or IPv4 address (`hooks.example.com`),
 * optionally as `*.example.com`, or a bracketed IPv6 address.
 */
export const WEBHOOK_HOST_PATTERN = /^(?:(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])$/i;

/** The host as the URL parser spells it (lower case, canonical IPv4/IPv6), without a trailing dot. */
function canonicalHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** The host a webhook URL goes to, canonical; undefined when it is no URL. */
export function webhookHostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/\.$/, '') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where webhooks may go. Without a list, anywhere. With one, a URL's host must be one of the names
 * exactly, or, for `*.example.com`, a host under example.com at any depth (`a.example.com`,
 * `a.b.example.com`; not `example.com` itself: list it too if it is meant). The port does not
 * matter. Names are compared after the URL parser's normalisation, so `HOOKS.example.com.` or
 * `http://2130706433/` cannot pass for something else. It restricts names, not what they resolve to.
 */
export class WebhookHostPolicy {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  // No parameter property: config.ts loads this file with Node's type stripping (scripts/prestart.js).
  private readonly allowed: readonly string[] | undefined;

  constructor(allowed: readonly string[] | undefined) {
    this.allowed = allowed;
    for (const entry of allowed ?? []) {
      const wildcard = entry.startsWith('*.');
      const host = canonicalHost(wildcard ? entry.slice(2) : entry);
      if (host === undefined || !WEBHOOK_HOST_PATTERN.test(entry)) throw new Error(`not a host name: ${JSON.stringify(entry)}`);
      if (wildcard) this.suffixes.push(`.${host}`);
      else this.exact.add(host);
    }
  }

  /** Whether every host is allowed (no list configured). */
  get unrestricted(): boolean {
    return this.allowed === undefined;
  }

  allows(url: string): boolean {
    if (this.unrestricted) return true;
    const host = webhookHostOf(url);
    if (host === undefined) return false;
    return this.exact.has(host) || this.suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
  }
}
