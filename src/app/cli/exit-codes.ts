/** What scripts around the CLI can rely on; documented in `refinery --help`. */
export const EXIT = {
  ok: 0,
  /** The server answered with an error, or could not be reached; the message says which. */
  failure: 1,
  /** The command line (or the environment it reads) is wrong; nothing was sent. */
  usage: 2,
  /** No token, an unknown one, or one that is not an admin's. */
  unauthorised: 3,
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
