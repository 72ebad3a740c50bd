import { startTracing, type Tracing } from './tracing';

/**
 * Imported first by the service's entry point (src/app/main.ts), before any module that an
 * instrumentation patches. The contexts come from `CONTEXTS` as written; src/app/config.ts still
 * validates it and stops start-up on a bad value.
 */
const contexts = (process.env['CONTEXTS'] ?? 'human-interaction,task-management,orchestration,product-definition')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name.length > 0);

export const tracing: Tracing = startTracing(process.env, contexts);
