import { type Command, Option } from 'commander';
import type { AcceptedView, ApiClient } from './api-client';
import type { CliIo } from './cli-io';
import { apiClientFor, type ConnectionFlags, duration, positiveInteger, withConnection } from './connection';
import { CliError, EXIT } from './exit-codes';
import { formatQuestions, formatTaskDetails, formatTaskList } from './task.format';
import { printable } from './terminal-text';
import { ANY_CHANGE, describeTask, TASK_STATUSES, waitForTask, type WaitFlags, waitTarget } from './wait';

type Run = (action: () => Promise<number>) => Promise<void>;

const DEFAULT_WAIT_TIMEOUT = '300s';
const DEFAULT_POLL_INTERVAL_MS = 500;

function withWait(command: Command): Command {
  return command
    .option('--wait <status>', `then wait until the task is in this status (${TASK_STATUSES.join(', ')}), or ${ANY_CHANGE}`, waitTarget)
    .addOption(
      new Option('--wait-timeout <duration>', 'stop waiting after this long (exit 5), e.g. 90, 30s, 5m')
        .argParser(duration)
        .default(duration(DEFAULT_WAIT_TIMEOUT), DEFAULT_WAIT_TIMEOUT),
    )
    .option('--poll-interval <ms>', 'how often to look while waiting', positiveInteger, DEFAULT_POLL_INTERVAL_MS);
}

function withTask(command: Command): Command {
  return withConnection(command.argument('<taskId>', 'the task, as `refinery list` or `submit` printed it'));
}

/** After an accepted action: say so, and with --wait, follow the task to the status asked for. */
async function acceptedThenWait(client: ApiClient, io: CliIo, accepted: AcceptedView, flags: WaitFlags): Promise<number> {
  io.stdout(`${accepted.action} accepted for task ${printable(accepted.taskId)} (checked against v${accepted.taskVersion})\n`);
  if (!flags.wait) return EXIT.ok;
  const task = await waitForTask(client, io, {
    taskId: accepted.taskId,
    target: flags.wait,
    after: accepted.taskVersion,
    timeoutMs: flags.waitTimeout,
    intervalMs: flags.pollInterval,
  });
  io.stdout(`${describeTask(task)}\n`);
  return EXIT.ok;
}

/** The questions the requester must answer now: those of the transition that entered CLARIFICATION_NEEDED. */
async function pendingQuestions(client: ApiClient, taskId: string): Promise<string[]> {
  const { task, history } = (await client.task(taskId)).details;
  const entry = history.at(-1);
  if (task.status !== 'CLARIFICATION_NEEDED' || entry?.to !== 'CLARIFICATION_NEEDED') {
    throw new CliError(EXIT.refused, `${describeTask(task)}: no questions wait for an answer`);
  }
  return entry.questions ?? [];
}

/** `refinery submit|list|show|answer|approve|reject|cancel`: the requester's and the approver's work. */
export function registerTaskCommands(program: Command, io: CliIo, run: Run): void {
  withWait(withConnection(program.command('submit').description('submit a feature request (requester); prints the new task id')))
    .requiredOption('--title <title>', 'a short title')
    .requiredOption('--description <text>', 'what is wanted, for whom and why: the more it says, the fewer questions come back')
    .addOption(new Option('--priority <priority>', 'how urgent').choices(['low', 'normal', 'high', 'urgent']))
    .option('--approver <userId>', 'who decides on the PRD (default: the first configured approver other than you)')
    .action((flags: ConnectionFlags & WaitFlags & { title: string; description: string; priority?: string; approver?: string }) =>
      run(async () => {
        const client = apiClientFor(flags, io);
        const taskId = await client.submit({
          title: flags.title,
          description: flags.description,
          ...(flags.priority ? { priority: flags.priority } : {}),
          ...(flags.approver ? { approverId: flags.approver } : {}),
        });
        // stdout holds the id alone, so `TASK=$(refinery submit …)` works; the rest goes to stderr.
        io.stdout(`${taskId}\n`);
        if (!flags.wait) return EXIT.ok;
        const task = await waitForTask(client, io, { taskId, target: flags.wait, timeoutMs: flags.waitTimeout, intervalMs: flags.pollInterval });
        io.stderr(`${describeTask(task)}\n`);
        return EXIT.ok;
      }),
    );

  withConnection(program.command('list').description('your tasks, newest first (an admin: all)'))
    .option('--json', 'print the JSON the server sent')
    .action((flags: ConnectionFlags & { json?: boolean }) =>
      run(async () => {
        const tasks = await apiClientFor(flags, io).list();
        io.stdout(flags.json ? `${JSON.stringify(tasks, null, 2)}\n` : formatTaskList(tasks));
        return EXIT.ok;
      }),
    );

  withTask(program.command('show').description('a task: status, request, questions and answers, PRD, history'))
    .option('--json', 'print the JSON the server sent')
    .option('--markdown', 'print the PRD as Markdown, as the server exports it (GET /api/tasks/:id/prd.md)')
    .option('--prd-version <n>', 'with --markdown: this PRD version rather than the newest', positiveInteger)
    .action((taskId: string, flags: ConnectionFlags & { json?: boolean; markdown?: boolean; prdVersion?: number }) =>
      run(async () => {
        if (flags.json && flags.markdown) throw new CliError(EXIT.usage, 'give --json or --markdown, not both');
        if (flags.prdVersion !== undefined && !flags.markdown) throw new CliError(EXIT.usage, '--prd-version goes with --markdown');
        if (flags.markdown) {
          // Printed as the server wrote it, Markdown-escaped there; control characters are still cut for the terminal.
          io.stdout(printable(await apiClientFor(flags, io).prdMarkdown(taskId, flags.prdVersion), true));
          return EXIT.ok;
        }
        const { details, raw } = await apiClientFor(flags, io).task(taskId);
        io.stdout(flags.json ? `${JSON.stringify(raw, null, 2)}\n` : formatTaskDetails(details));
        return EXIT.ok;
      }),
    );

  withWait(withTask(program.command('answer').description('answer the pending questions (requester), one --answer per question, in order')))
    .option(
      '--answer <text>',
      'the answer to the next question; repeat for each (without any: show the questions)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .action((taskId: string, flags: ConnectionFlags & WaitFlags & { answer?: string[] }) =>
      run(async () => {
        const client = apiClientFor(flags, io);
        const questions = await pendingQuestions(client, taskId);
        const given = flags.answer ?? [];
        if (given.length !== questions.length) {
          io.stderr(`The task asks:\n${formatQuestions(questions)}\n`);
          const counted = given.length === 0 ? '' : `${questions.length} question${questions.length === 1 ? '' : 's'} but ${given.length} --answer given: `;
          throw new CliError(EXIT.usage, `${counted}give one --answer per question, in this order`);
        }
        const answers = questions.map((question, i) => ({ question, answer: given[i] ?? '' }));
        io.stdout(`${answers.map((a, i) => `Q${i + 1}. ${printable(a.question)}\n    A: ${printable(a.answer)}`).join('\n')}\n`);
        return acceptedThenWait(client, io, await client.answer(taskId, answers), flags);
      }),
    );

  withWait(withTask(program.command('approve').description('approve the PRD awaiting your decision (approver)')))
    .option('--prd-version <n>', 'the version you read; refused (exit 4) if a newer one awaits', positiveInteger)
    .action((taskId: string, flags: ConnectionFlags & WaitFlags & { prdVersion?: number }) =>
      run(async () => {
        const client = apiClientFor(flags, io);
        return acceptedThenWait(client, io, await client.approve(taskId, flags.prdVersion), flags);
      }),
    );

  withWait(withTask(program.command('reject').description('reject the PRD with feedback (approver): the agent writes the next version')))
    .requiredOption('--feedback <text>', 'what the next version must change')
    .option('--prd-version <n>', 'the version you read; refused (exit 4) if a newer one awaits', positiveInteger)
    .action((taskId: string, flags: ConnectionFlags & WaitFlags & { feedback: string; prdVersion?: number }) =>
      run(async () => {
        const client = apiClientFor(flags, io);
        return acceptedThenWait(client, io, await client.reject(taskId, flags.feedback, flags.prdVersion), flags);
      }),
    );

  withWait(withTask(program.command('cancel').description('cancel a task that is not finished (requester)')))
    .option('--reason <text>', 'why, for the history')
    .action((taskId: string, flags: ConnectionFlags & WaitFlags & { reason?: string }) =>
      run(async () => {
        const client = apiClientFor(flags, io);
        return acceptedThenWait(client, io, await client.cancel(taskId, flags.reason), flags);
      }),
    );
}
