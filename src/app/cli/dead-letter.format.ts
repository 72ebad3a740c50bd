import type { DeadLetterView } from './admin-client';
import { instant, printable, table } from './terminal-text';

// Wide enough for "TaskNotFound: task <uuid> does not exist"; `show` has the whole message.
const ERROR_WIDTH = 72;

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function errorOf(deadLetter: DeadLetterView): string {
  return printable(deadLetter.errorMessage ? `${deadLetter.errorClass}: ${deadLetter.errorMessage}` : deadLetter.errorClass);
}

/** A compact table, one dead letter a line; the id is there so `show`, `replay --id` can name it. */
export function formatDeadLetterTable(deadLetters: readonly DeadLetterView[]): string {
  if (deadLetters.length === 0) return 'no dead letters\n';
  const rows = deadLetters.map((d) => [
    printable(d.id),
    printable(d.consumer),
    printable(d.messageType) || '(unknown)',
    truncate(errorOf(d), ERROR_WIDTH),
    String(d.attempts),
    instant(d.firstFailedAt),
    instant(d.lastFailedAt),
  ]);
  const header = ['ID', 'CONSUMER', 'TYPE', 'ERROR', 'ATTEMPTS', 'FIRST FAILURE', 'LAST FAILURE'];
  return `${table(header, rows)}\n${deadLetters.length} dead letter${deadLetters.length === 1 ? '' : 's'}\n`;
}

/** One dead letter in full: the untruncated error and the message as it was parked. */
export function formatDeadLetter(deadLetter: DeadLetterView): string {
  const fields: Array<[string, string]> = [
    ['id', printable(deadLetter.id)],
    ['consumer', printable(deadLetter.consumer)],
    ['type', printable(deadLetter.messageType) || '(unknown)'],
    ['error', errorOf(deadLetter)],
    ['attempts', String(deadLetter.attempts)],
    ['first failure', printable(deadLetter.firstFailedAt)],
    ['last failure', printable(deadLetter.lastFailedAt)],
  ];
  const width = Math.max(...fields.map(([name]) => name.length)) + 2;
  // JSON.stringify escapes control characters, so the message is safe to print as it is.
  return `${fields.map(([name, value]) => `${`${name}:`.padEnd(width)}${value}`).join('\n')}\nmessage:\n${JSON.stringify(deadLetter.message, null, 2)}\n`;
}
