/**
 * Process warnings (`process.emitWarning`, e.g. MaxListenersExceededWarning) this test process
 * emitted while watched, for fault tests to assert none of the kind an outage used to cause.
 */
export class WarningWatch {
  private readonly seen: string[] = [];
  private readonly listener = (warning: Error) => this.seen.push(`${warning.name}: ${warning.message}`);

  static start(): WarningWatch {
    const watch = new WarningWatch();
    process.on('warning', watch.listener);
    return watch;
  }

  stop(): void {
    process.off('warning', this.listener);
  }

  /** MaxListenersExceededWarning lines, here and in the given child process output. */
  maxListenerWarnings(...childOutput: readonly string[]): string[] {
    const here = this.seen.filter((line) => line.startsWith('MaxListenersExceededWarning'));
    const there = childOutput.flatMap((output) => output.split('\n').filter((line) => line.includes('MaxListenersExceededWarning')));
    return [...here, ...there];
  }
}
