import './require-supported-node';
// First: the instrumentations must be registered before fastify, pg and http are loaded.
import { tracing } from '../shared/tracing/register';
import 'reflect-metadata';
import { join, resolve, sep } from 'node:path';
import { createLogger } from '../shared/logging/logger';
import { scrubUrls } from '../shared/logging/log-secrets';
import { ensurePrivateDirectory } from '../shared/persistence/private-directory';
import { Application } from './container';
import { assertServiceConfig, ConfigError, loadConfig } from './config';
import { demoLinkSecret, demoUsers } from './users';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    assertServiceConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  // .refinery holds the demo's tokens and link secret and, by default, PGlite's files: only this account may enter it.
  const pgliteInside = !config.DATABASE_URL && resolve(config.PGLITE_DATA_DIR).startsWith(`${resolve('.refinery')}${sep}`);
  if (!config.REFINERY_USERS || !config.LINK_SECRET || pgliteInside) ensurePrivateDirectory('.refinery', logger);
  const tokensFile = join('.refinery', 'dev-tokens.json');
  const users = config.REFINERY_USERS ?? demoUsers(tokensFile);
  const linkSecret = config.LINK_SECRET ?? demoLinkSecret(join('.refinery', 'link-secret'));
  const app = await Application.create({ config, users, logger, linkSecret });
  let url: string;
  try {
    await app.start();
    url = await app.listen();
  } catch (error) {
    // E.g. the port is taken: pollers and the relay already run; close the database cleanly.
    await app.stop().catch(() => undefined);
    throw error;
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight work');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app
      .stop()
      // Spans still buffered are exported before the process ends (a no-op with tracing off).
      .finally(() => tracing.shutdown().catch(() => undefined))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const storage = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.PGLITE_DATA_DIR}`;
  const transport = config.RABBITMQ_URL ? 'RabbitMQ (RABBITMQ_URL)' : 'the in-memory queue';
  const who = config.REFINERY_USERS
    ? `Users come from REFINERY_USERS: ${users.map((u) => `${u.id} (${u.roles.join('+')})`).join(', ')}.`
    : `Demo users alice (requester), bob (approver) and admin; their tokens are in ${tokensFile}:\n  ALICE=$(node -p "require('./${tokensFile}').alice")`;
  process.stdout.write(
    [
      '',
      `Refinery is listening on ${url} (contexts: ${config.CONTEXTS.join(', ')}; ${transport}; ${storage}).`,
      who,
      `Web inbox: ${url}/inbox (sign in with a token). API description: ${url}/docs.`,
      'Submit a first request from the command line (npm start has built it):',
      `  REFINERY_URL=${url} REFINERY_TOKEN=$ALICE npx refinery submit --title "Dark mode" --description "Make the dashboard easier on the eyes" --wait any-change`,
      'or over HTTP:',
      `  curl -s -X POST ${url}/api/tasks -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' \\`,
      `    -d '{"title":"Dark mode","description":"Make the dashboard easier on the eyes"}'`,
      'Stop with Ctrl-C: in-flight work finishes first.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  // Cleaned like a log line: a driver's message may carry a URL with its credentials.
  process.stderr.write(`Refinery failed to start: ${scrubUrls(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
