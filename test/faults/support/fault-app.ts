import pino from 'pino';
import type { Application } from '../../../src/app/container';
import { startTestApp } from '../../support/app';

/** What the service's own logs tell about deliveries and the connection (no other hook sees it). */
export class DeliveryLog {
  /** Handler runs (succeeded or failed) on a delivery that was not the message's first. */
  redelivered = 0;
  connectionsLost = 0;
  reconnects = 0;
  /** The RabbitMQ node (host:port) of every connection made, in order. */
  readonly nodesConnected: string[] = [];
  readonly warnings = new Map<string, number>();
  /** The first few lines of each warning, whole, for a failure's diagnostic. */
  readonly samples = new Map<string, string[]>();

  write(line: string): void {
    const attempt = /"attempt":(\d+)/.exec(line);
    if (attempt && Number(attempt[1]) > 1 && /"msg":"message handle(d|r failed)"/.test(line)) this.redelivered += 1;
    if (/"msg":"RabbitMQ connection to \S+ lost; reconnecting"/.test(line)) this.connectionsLost += 1;
    const connected = /"node":"([^"]+)".*"msg":"connected to RabbitMQ at /.exec(line);
    if (connected?.[1]) {
      this.reconnects += 1;
      this.nodesConnected.push(connected[1]);
    }
    const level = /"level":(\d+)/.exec(line);
    const msg = /"msg":"([^"]*)"/.exec(line);
    if (level && Number(level[1]) >= 40 && msg?.[1]) {
      this.warnings.set(msg[1], (this.warnings.get(msg[1]) ?? 0) + 1);
      const samples = this.samples.get(msg[1]) ?? [];
      if (samples.length < 3) this.samples.set(msg[1], [...samples, line.trim().slice(0, 2000)]);
    }
  }
}

export interface FaultApp {
  readonly app: Application;
  readonly log: DeliveryLog;
}

/**
 * The whole service in this process, as startTestApp starts it, with a logger whose lines are
 * counted (startTestApp's is silent by default). Sweep repairs are pushed out of the test's reach
 * (`REDRIVE_AFTER_MS`, `REPUBLISH_IDLE_MS` of 10 minutes): every workflow must then complete on
 * what the transport and the outbox deliver, not on what a sweep re-sends.
 */
export async function startFaultApp(databaseUrl: string, env: Record<string, string>): Promise<FaultApp> {
  const log = new DeliveryLog();
  const logger = pino({ level: 'debug' }, { write: (line: string) => log.write(line) });
  const app = await startTestApp({
    databaseUrl,
    logger,
    env: { SCAN_INTERVAL_MS: '200', REDRIVE_AFTER_MS: '600000', REPUBLISH_IDLE_MS: '600000', RESEND_UNCONFIRMED_AFTER_MS: '600000', ...env },
  });
  return { app, log };
}

/** The sampled warning lines, one per line, for a failure's message. */
export function warningSamples(log: DeliveryLog): string {
  return [...log.samples.values()].flat().join('\n');
}
