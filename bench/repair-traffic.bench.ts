import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { z } from 'zod';
import { loadConfig } from '../src/app/config';
import { Application } from '../src/app/container';
import { createLogger } from '../src/shared/logging/logger';
import { BenchDatabase } from './workflow/bench-database';
import { COMPLETE_REQUEST } from './workflow/bot';
import { RefineryClient } from './workflow/refinery-client';
import { benchUsers } from './workflow/service-env';

/**
 * Repair traffic: the messages a task causes during the 10 minutes after it finished (the
 * re-announcements of finished tasks, what each consumer sends back for them, and any
 * acknowledgement), per finished task. Real 10 minutes with the production sweep settings would
 * make a run take a quarter of an hour, so every repair timing is divided by `BENCH_SCALE`
 * (default 60: the sweep every 83 ms instead of 5 s, re-announcement of idle tasks after 1 s
 * instead of 60 s, finished tasks re-announced for 10 s instead of 10 min, the re-drive after
 * 500 ms instead of 30 s). The back-off of finished tasks is relative to how long they have been
 * finished, so the number of re-announcements in the window is the same as unscaled.
 *
 * The whole service runs in this process (in-memory transport, its own PostgreSQL database), the
 * workflows go through the HTTP API as a person would (submit, wait for the PRD, approve), and the
 * figures are read from the database afterwards: every outbox row keyed by a finished task and
 * written after its final transition and within the window ("published"), and every inbox record
 * of those messages ("handled", one per consumer that took the message in; a duplicate the inbox
 * dropped is not counted there). Prints lines, then one JSON object on the last line.
 */

const env = process.env;
const SCALE = Number(env['BENCH_SCALE'] ?? 60);
const WORKFLOWS = Number(env['BENCH_WORKFLOWS'] ?? 40);
const ADMIN_URL = env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const WINDOW_MS = Math.round(600_000 / SCALE);
const scaled = (ms: number) => String(Math.max(1, Math.round(ms / SCALE)));

const TERMINAL_STATUS_CHANGED = 'task-management.task-status-changed.v1';
const typeCount = z.object({ type: z.string(), n: z.coerce.number() });
const consumerCount = z.object({ consumer: z.string(), type: z.string(), n: z.coerce.number() });
const taskRow = z.object({ id: z.string(), status: z.string() });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const database = await BenchDatabase.create(ADMIN_URL);
  const users = benchUsers();
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    LINK_SECRET: randomBytes(32).toString('base64url'),
    REFINERY_USERS: [
      `${users.requester.id}:requester:${users.requester.token}`,
      `${users.approver.id}:approver:${users.approver.token}`,
      `${users.admin.id}:admin:${users.admin.token}`,
    ].join(','),
    SCAN_INTERVAL_MS: scaled(5_000),
    REDRIVE_AFTER_MS: scaled(30_000),
    REPUBLISH_IDLE_MS: scaled(60_000),
    REPUBLISH_FINISHED_FOR_MS: scaled(600_000),
  });
  const app = await Application.create({ config, users: config.REFINERY_USERS ?? [], logger: createLogger(config.LOG_LEVEL, 'repair-traffic-bench') });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
    await database.drop();
  };
  try {
    await app.start();
    const client = new RefineryClient(await app.listen());
    const started = Date.now();
    const taskIds: string[] = [];
    await Promise.all(
      Array.from({ length: WORKFLOWS }, async (_, i) => {
        const taskId = await client.submit(users.requester.token, `Repair traffic ${i}`, COMPLETE_REQUEST);
        taskIds.push(taskId);
        const prdVersion = await until(`the PRD of ${taskId}`, async () => {
          const details = await client.task(users.approver.token, taskId);
          const v = details.task.prdVersion;
          return details.task.status === 'PRD_VALIDATION' && v !== null && details.prdVersions.includes(v) ? v : undefined;
        });
        await client.approve(users.approver.token, taskId, prdVersion);
        await until(`${taskId} APPROVED`, async () => ((await client.task(users.approver.token, taskId)).task.status === 'APPROVED' ? true : undefined));
      }),
    );
    const lastFinished = Date.now();
    console.log(
      `${WORKFLOWS} workflows APPROVED in ${((lastFinished - started) / 1000).toFixed(1)} s; waiting out the window of ${WINDOW_MS} ms (10 min / ${SCALE})`,
    );
    await sleep(WINDOW_MS + 2_000);

    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const tasks = z.array(taskRow).parse((await pg.query(`SELECT id, status FROM task_management.tasks WHERE id = ANY($1::text[])`, [taskIds])).rows);
      const finished = tasks.filter((t) => t.status === 'APPROVED').length;
      // Messages about the task written after its final transition (the event announcing that
      // transition excluded: no status change follows a terminal one) and within the window.
      const inWindow = `FROM messaging.outbox o JOIN task_management.tasks t ON t.id = o.message_key
        WHERE t.id = ANY($1::text[]) AND t.status IN ('APPROVED', 'CANCELLED', 'FAILED') AND o.type <> $2
          AND o.created_at >= t.updated_at AND o.created_at < t.updated_at + make_interval(secs => $3::double precision / 1000)`;
      const params = [taskIds, TERMINAL_STATUS_CHANGED, WINDOW_MS];
      const published = z.array(typeCount).parse((await pg.query(`SELECT o.type, count(*) AS n ${inWindow} GROUP BY o.type ORDER BY o.type`, params)).rows);
      const handled = z.array(consumerCount).parse(
        (
          await pg.query(
            `SELECT i.consumer, w.type, count(*) AS n FROM messaging.inbox i
               JOIN (SELECT DISTINCT o.message_id, o.type ${inWindow}) w ON w.message_id = i.message_id
               GROUP BY i.consumer, w.type ORDER BY i.consumer, w.type`,
            params,
          )
        ).rows,
      );
      // Who takes each type in at all (any message of it, in this run): a publication is delivered
      // to each of them, whether its inbox then keeps it or drops it as a duplicate.
      const consumers = z
        .array(typeCount)
        .parse(
          (
            await pg.query(
              `SELECT o.type, count(DISTINCT i.consumer) AS n FROM messaging.inbox i JOIN messaging.outbox o ON o.message_id = i.message_id GROUP BY o.type`,
            )
          ).rows,
        );
      const consumersOf = new Map(consumers.map((r) => [r.type, r.n]));
      const per = (n: number) => Math.round((n / Math.max(finished, 1)) * 100) / 100;
      const publishedTotal = published.reduce((s, r) => s + r.n, 0);
      const handledTotal = handled.reduce((s, r) => s + r.n, 0);
      const deliveredTotal = published.reduce((s, r) => s + r.n * (consumersOf.get(r.type) ?? 0), 0);
      console.log(`published per finished task in the 10 (scaled) minutes after finishing: ${per(publishedTotal)}`);
      for (const r of published) console.log(`  ${r.type}: ${per(r.n)} (to ${consumersOf.get(r.type) ?? 0} consumers)`);
      console.log(`delivered (published x consumers of the type) per finished task: ${per(deliveredTotal)}`);
      console.log(`handled (inbox records) per finished task: ${per(handledTotal)}`);
      for (const r of handled) console.log(`  ${r.consumer} <- ${r.type}: ${per(r.n)}`);
      console.log(
        JSON.stringify({
          bench: 'repair-traffic',
          at: new Date().toISOString(),
          machine: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
          parameters: { workflows: WORKFLOWS, scale: SCALE, windowMs: WINDOW_MS, finished },
          perFinishedTask: {
            published: per(publishedTotal),
            delivered: per(deliveredTotal),
            handled: per(handledTotal),
            publishedByType: Object.fromEntries(published.map((r) => [r.type, per(r.n)])),
            handledByConsumer: Object.fromEntries(handled.map((r) => [`${r.consumer} <- ${r.type}`, per(r.n)])),
          },
        }),
      );
    } finally {
      await pg.end();
    }
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
