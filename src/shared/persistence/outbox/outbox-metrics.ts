import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Logger } from '../../logging/logger';
import { scrapedGauge, ScrapedReading } from '../../metrics/scraped-gauges';
import { execute } from '../sql';

export interface OutboxBacklog {
  /** Committed rows not yet published (abandoned rows are marked sent and do not count). */
  readonly unsent: number;
  /** Seconds since the oldest unsent row was written, on the database's clock; 0 with none. */
  readonly oldestUnsentAgeSeconds: number;
}

const backlogRow = z.object({ unsent: z.coerce.number().int(), oldest_age_seconds: z.coerce.number().nullable() });

/**
 * One statement over the `outbox_unsent` partial index: its cost follows the backlog, not the
 * table. Both ends of the age are the database's clock (`created_at` defaults to `now()`).
 */
export async function readOutboxBacklog(dataSource: DataSource): Promise<OutboxBacklog> {
  const { rows } = await execute(
    dataSource.manager,
    `SELECT count(*) AS unsent, EXTRACT(EPOCH FROM (now() - min(created_at))) AS oldest_age_seconds
     FROM messaging.outbox WHERE sent_at IS NULL`,
  );
  const row = backlogRow.parse(rows[0]);
  return { unsent: row.unsent, oldestUnsentAgeSeconds: Math.max(0, row.oldest_age_seconds ?? 0) };
}

/**
 * `refinery_outbox_unsent_messages` and `refinery_outbox_oldest_unsent_age_seconds`, read at
 * scrape time. The outbox is one table for every process: each process reports the same figures
 * (aggregate with max, not sum).
 */
export function registerOutboxMetrics(registry: Registry, dataSource: DataSource, logger: Logger): void {
  const reading = new ScrapedReading({ source: 'outbox', read: () => readOutboxBacklog(dataSource), logger });
  scrapedGauge(registry, {
    name: 'refinery_outbox_unsent_messages',
    help: 'Outbox rows committed but not yet published to the transport (the relay backlog)',
    reading,
    samples: (backlog) => [[{}, backlog.unsent]],
  });
  scrapedGauge(registry, {
    name: 'refinery_outbox_oldest_unsent_age_seconds',
    help: 'Seconds since the oldest unsent outbox row was committed (0 when none waits)',
    reading,
    samples: (backlog) => [[{}, backlog.oldestUnsentAgeSeconds]],
  });
}
