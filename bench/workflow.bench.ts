import 'reflect-metadata';
import { z } from 'zod';
import { parseOptions, USAGE } from './workflow/options';
import { summarise, summariseTracingComparison } from './workflow/report';
import { BenchFailed, runBench } from './workflow/run-bench';

/**
 * `npm run bench:workflow -- [--mode single|split] [--workflows 200] …`: complete refinement
 * workflows on RabbitMQ and PostgreSQL, driven through the HTTP API by a bot; prints human lines,
 * then one JSON line. Exits 1 when a check fails or the run misses its deadline.
 */
async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    const problem = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
    process.stderr.write(`${problem}\n${USAGE}\n`);
    return 2;
  }
  // Clean-up has its own bounded steps; this only catches a hang nothing else would end.
  setTimeout(
    () => {
      process.stderr.write('workflow bench: still running long after its deadline; giving up\n');
      process.exit(3);
    },
    (options.tracing === 'compare' ? 2 : 1) * (options.timeoutMs + 90_000),
  ).unref();
  try {
    // Compare: tracing on first, so any warm-up the second run enjoys goes to the run without it.
    const summary =
      options.tracing === 'compare'
        ? summariseTracingComparison(summarise(await runBench(options, true)), summarise(await runBench(options, false)))
        : summarise(await runBench(options));
    for (const line of summary.lines) process.stdout.write(`${line}\n`);
    process.stdout.write(`${JSON.stringify(summary.json)}\n`);
    return summary.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`workflow bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (error instanceof BenchFailed) process.stderr.write(`diagnostic: ${JSON.stringify(error.diagnostic, null, 2)}\n`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
