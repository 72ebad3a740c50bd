import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Clock } from '../../../../../shared/kernel/clock';
import { NonRetryableError } from '../../../../../shared/kernel/errors';
import type { WebhookEgressPolicy } from '../../../application/channel-preferences/webhook-egress';
import type { DeliveryContent } from '../../../application/deliver-notifications/delivery-content';
import type { NotificationChannel } from '../../../application/deliver-notifications/notification-channel';
import { renderWebhookBody } from './render-webhook';
import { signWebhook } from './webhook-signature';

/**
 * A receiver that refused or could not be reached. Its message is a class of error ("connection
 * refused", "timeout", "HTTP 500", "TLS error"…), never the URL (it may be a secret) or a raw message.
 */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

/** A webhook the egress policy forbids ("refused: internal address", "refused: port"…): never retried. */
export class WebhookRefusedError extends NonRetryableError {
  override readonly name = 'WebhookRefusedError';
}

/** How names are resolved for a connection: every address of the name (dns.lookup with `all`). */
export type ResolveAll = (host: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolveAll: ResolveAll = (host, callback) => dnsLookup(host, { all: true, order: 'verbatim' } satisfies LookupAllOptions, callback);

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL|HOSTNAME_MISMATCH)|CERT/;

/** The class of a network error, from its code alone (a message can hold the address or URL). */
export function networkErrorClass(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'network error';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') return 'host name did not resolve';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'connection reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (TLS_CODE.test(code)) return 'TLS error';
  return 'network error';
}

/** Marks the error a refused lookup gives the socket, so the request's error can be told apart. */
class RefusedAtConnect extends Error {
  constructor(readonly kind: string) {
    super(`refused: ${kind}`);
  }
}

/**
 * A `lookup` for sockets that resolves every address of the name, refuses them all when any one is
 * internal (unless the policy allows internal targets), and hands the socket only checked
 * addresses: the connection goes to an address that was checked, so DNS rebinding cannot slip an
 * internal one in between the check and the connect.
 */
export function guardedLookup(policy: WebhookEgressPolicy, resolveAll: ResolveAll = systemResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, (error, found) => {
      const family = options.family === 4 || options.family === 6 ? options.family : undefined;
      const addresses = error ? [] : found.filter((a) => family === undefined || a.family === family);
      const refusal = error
        ? undefined
        : policy.checkAddresses(
            hostname,
            found.map((a) => a.address),
          );
      const failure = error ?? (refusal ? new RefusedAtConnect(refusal.kind) : undefined);
      const first = addresses[0];
      if (failure || first === undefined) {
        const reason = failure ?? Object.assign(new Error('no address'), { code: 'ENOTFOUND' });
        if (options.all) (callback as (e: Error, a: LookupAddress[]) => void)(reason, []);
        else callback(reason, '', 0);
        return;
      }
      if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs the notification as signed JSON. Any 2xx is success; anything else (a redirect included:
 * it is not followed) or a network error is retried; an address the egress policy forbids is not
 * (the URL's own checks, then, at connect time, every address its name resolves to).
 * `x-refinery-delivery` stays the same across retries, so a receiver that saw a delivery already
 * can drop it. Its own agents, without keep-alive: every delivery opens a connection through the
 * guarded lookup (a pooled socket would skip the check, and carries the async context, hence the
 * trace, of the delivery that opened it into later ones).
 */
export class WebhookChannel implements NotificationChannel {
  readonly channel = 'webhook' as const;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
    private readonly egress: WebhookEgressPolicy,
    resolveAll: ResolveAll = systemResolveAll,
  ) {
    const lookup = guardedLookup(egress, resolveAll);
    this.httpAgent = new http.Agent({ keepAlive: false, lookup });
    this.httpsAgent = new https.Agent({ keepAlive: false, lookup });
  }

  async send(url: string, content: DeliveryContent, signal: AbortSignal): Promise<void> {
    const refusal = this.egress.checkUrl(url);
    if (refusal !== undefined) throw new WebhookRefusedError(`refused: ${refusal.kind}`);
    const body = JSON.stringify(renderWebhookBody(content));
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const target = new URL(url);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Refinery-Webhook/1',
      'x-refinery-timestamp': String(timestamp),
      'x-refinery-signature': signWebhook(this.secret, timestamp, body),
      'x-refinery-delivery': `${content.notificationId}:webhook`,
    };
    let status: number;
    try {
      status = await this.post(target, headers, body, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof RefusedAtConnect) throw new WebhookRefusedError(error.message);
      throw new WebhookDeliveryError(networkErrorClass(error));
    }
    if (status < 200 || status > 299) throw new WebhookDeliveryError(`HTTP ${status}`);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private post(target: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
    const https_ = target.protocol === 'https:';
    const request = https_ ? https.request : http.request;
    return new Promise<number>((resolve, reject) => {
      const outgoing = request(target, { method: 'POST', headers, agent: https_ ? this.httpsAgent : this.httpAgent, signal }, (response) => {
        // The answer's body is of no use; drain it so the connection can be reused.
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}
