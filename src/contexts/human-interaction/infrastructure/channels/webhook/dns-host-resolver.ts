import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../../../application/channel-preferences/webhook-egress';

/** Every address the system resolver gives for a name (as a connection would look it up: /etc/hosts, DNS). */
export class DnsHostResolver implements HostResolver {
  async resolve(host: string): Promise<readonly string[]> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const found = await lookup(bare, { all: true, order: 'verbatim' });
    return found.map((a) => a.address);
  }
}
