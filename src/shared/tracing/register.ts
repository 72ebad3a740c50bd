import type * as TracingSdk from './tracing';
import { OFF, type Tracing, tracingRequested } from './tracing-settings';

/**
 * Imported first by the service's entry point (src/app/main.ts), before any module that an
 * instrumentation patches. The contexts come from `CONTEXTS` as written; src/app/config.ts still
 * validates it and stops start-up on a bad value.
 */
const contexts = (process.env['CONTEXTS'] ?? 'human-interaction,task-management,orchestration,product-definition')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name.length > 0);

function start(): Tracing {
  // Tracing off: the SDK is not even loaded (it costs ~145 ms of start-up and ~16 MB).
  if (!tracingRequested(process.env)) return OFF;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on, synchronously, before the modules it patches
    const { startTracing } = require('./tracing') as typeof TracingSdk;
    return startTracing(process.env, contexts);
  } catch (error) {
    // A bad OTEL_* value stops start-up naming the variable, like any other setting.
    process.stderr.write(`Refinery failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

export const tracing: Tracing = start();
