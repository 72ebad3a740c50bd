/** What scripts around the CLI can rely on; documented in `refinery --help`. */
export const EXIT = {
  ok: 0,
  /** The server answered with an error, or could not be reached; the message says which. */
  failure: 1,
  /** The command line (or the environment it reads) is wrong; nothing was sent. */
  usage: 2,
  /** No token, an unknown or revoked one (401), or one that may not do this (403). */
  unauthorised: 3,
  /** The workflow refused: no such task (404), or not in a state for this action (409). */
  refused: 4,
  /** --wait ended without the state asked for: the task finished elsewhere, or --wait-timeout passed. */
  waitEnded: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as one line on stderr with its exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
