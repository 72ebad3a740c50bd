import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../../../application/channel-preferences/webhook-egress';

/** A lookup slower than this counts as "does not resolve now" (the sender checks again at connect time). */
const RESOLVE_TIMEOUT_MS = 3_000;

/** Every address the system resolver gives for a name (as a connection would look it up: /etc/hosts, DNS). */
export class DnsHostResolver implements HostResolver {
  constructor(private readonly timeoutMs = RESOLVE_TIMEOUT_MS) {}

  async resolve(host: string): Promise<readonly string[]> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`resolving ${bare} took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const found = await Promise.race([lookup(bare, { all: true, order: 'verbatim' }), timeout]);
      return found.map((a) => a.address);
    } finally {
      clearTimeout(timer);
    }
  }
}
