import ipaddr from 'ipaddr.js';
import { WebhookHostPolicy, webhookHostOf } from './webhook-hosts';

/** Ports a webhook may go to without WEBHOOK_ALLOWED_PORTS. */
export const DEFAULT_WEBHOOK_PORTS: readonly number[] = [80, 443];

/**
 * Port: the addresses a host name resolves to (every one, IPv4 and IPv6). Throws when the name does
 * not resolve. The set-time check uses it; the sender checks again itself at connect time.
 */
export interface HostResolver {
  resolve(host: string): Promise<readonly string[]>;
}

/** Why a webhook URL or address is refused; `kind` doubles as the class of error a delivery records. */
export type EgressRefusalKind = 'not a URL' | 'scheme' | 'userinfo' | 'port' | 'host' | 'internal address';

export interface EgressRefusal {
  readonly kind: EgressRefusalKind;
  /** For the person choosing the URL; names the host or port, never the path, query or credentials. */
  readonly message: string;
}

export interface WebhookEgressSettings {
  /** WEBHOOK_ALLOWED_HOSTS: the only host names webhooks may go to; absent: any name. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** WEBHOOK_ALLOWED_PORTS: the ports besides 80 and 443 webhooks may go to. */
  readonly allowedPorts?: readonly number[] | undefined;
  /** WEBHOOK_ALLOW_INTERNAL: whether loopback, private and other non-public addresses are allowed. */
  readonly allowInternal?: boolean | undefined;
}

/** The policy the context's options describe (WEBHOOK_ALLOWED_HOSTS, WEBHOOK_ALLOWED_PORTS, WEBHOOK_ALLOW_INTERNAL). */
export function webhookEgressPolicyOf(options: {
  readonly webhookAllowedHosts?: readonly string[] | undefined;
  readonly webhookAllowedPorts?: readonly number[] | undefined;
  readonly webhookAllowInternal?: boolean | undefined;
}): WebhookEgressPolicy {
  return new WebhookEgressPolicy({
    allowedHosts: options.webhookAllowedHosts,
    allowedPorts: options.webhookAllowedPorts,
    allowInternal: options.webhookAllowInternal,
  });
}

/** The address without brackets (`[::1]` → `::1`), or undefined when the host is a name. */
export function ipLiteralOf(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : undefined;
}

/**
 * Whether an address is anything but a public unicast one: loopback, private (RFC 1918), link-local,
 * unique-local (fc00::/7), CGNAT (100.64/10), unspecified, multicast, broadcast, documentation and
 * other reserved ranges, IPv4-mapped/compatible IPv6, NAT64, 6to4 and Teredo (they carry an IPv4
 * address that could be internal). Anything that does not parse counts as internal.
 */
export function isInternalAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return true;
  }
  return parsed.range() !== 'unicast';
}

/**
 * Where webhooks may go: http(s) only, no `user:pass@`, port 80/443 or one listed, a listed host
 * when WEBHOOK_ALLOWED_HOSTS is set, and (unless WEBHOOK_ALLOW_INTERNAL) only public addresses:
 * the URL's literal address, and every address its name resolves to.
 */
export class WebhookEgressPolicy {
  readonly allowInternal: boolean;
  private readonly hosts: WebhookHostPolicy;
  private readonly ports: ReadonlySet<number>;

  constructor(settings: WebhookEgressSettings = {}) {
    this.hosts = new WebhookHostPolicy(settings.allowedHosts);
    this.ports = new Set([...DEFAULT_WEBHOOK_PORTS, ...(settings.allowedPorts ?? [])]);
    this.allowInternal = settings.allowInternal ?? false;
  }

  /** What can be judged from the URL alone (a literal address included); undefined: no objection. */
  checkUrl(url: string): EgressRefusal | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { kind: 'not a URL', message: 'must be an http(s) URL' };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { kind: 'scheme', message: 'must be an http(s) URL' };
    if (parsed.username !== '' || parsed.password !== '') {
      return { kind: 'userinfo', message: 'must not carry a user name or password (user:pass@); put a secret in the path or query instead' };
    }
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    if (!this.ports.has(port)) {
      return { kind: 'port', message: `port ${port} is not allowed; webhooks go to ports ${[...this.ports].join(', ')} (WEBHOOK_ALLOWED_PORTS)` };
    }
    const host = webhookHostOf(url) ?? '';
    if (!this.hosts.allows(url)) {
      return {
        kind: 'host',
        message: `webhooks to ${host} are not allowed on this server; it sends them only to the hosts its operator listed (WEBHOOK_ALLOWED_HOSTS)`,
      };
    }
    const literal = ipLiteralOf(host);
    if (literal !== undefined) return this.checkAddresses(host, [literal]);
    return undefined;
  }

  /** Whether every address `host` resolved to may be contacted; one internal address refuses them all. */
  checkAddresses(host: string, addresses: readonly string[]): EgressRefusal | undefined {
    if (this.allowInternal) return undefined;
    if (addresses.length === 0 || addresses.some(isInternalAddress)) {
      return {
        kind: 'internal address',
        message: `${host} is or resolves to an internal address (loopback, private, link-local…); webhooks go only to public addresses (WEBHOOK_ALLOW_INTERNAL)`,
      };
    }
    return undefined;
  }

  /**
   * The whole check at the time a URL is chosen: the URL, then what its name resolves to. A name
   * that does not resolve (now) is not refused here: the sender checks again at connect time.
   */
  async check(url: string, resolver: HostResolver): Promise<EgressRefusal | undefined> {
    const refusal = this.checkUrl(url);
    if (refusal !== undefined || this.allowInternal) return refusal;
    const host = webhookHostOf(url) ?? '';
    if (ipLiteralOf(host) !== undefined) return undefined;
    let addresses: readonly string[];
    try {
      addresses = await resolver.resolve(host);
    } catch {
      return undefined;
    }
    return this.checkAddresses(host, addresses);
  }
}
