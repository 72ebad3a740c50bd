import { isatty } from 'node:tty';
/**
 * Everything the CLI touches outside itself, passed in so tests run the commands in-process
 * (no build, no child process) and read what they printed.
 */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The global fetch unless a test gives another. */
  readonly fetch?: typeof fetch;
  /** Whether stderr is a terminal: a --wait progress line is then rewritten in place. */
  readonly stderrIsTty?: boolean;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTty: isatty(process.stderr.fd),
  };
}
