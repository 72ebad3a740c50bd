/** What every fault test measures; `lost` and `duplicatedEffects` must be 0. */
export interface FaultFigures {
  readonly sent: number;
  readonly handled: number;
  readonly redelivered: number;
  readonly deadLettered: number;
  readonly lost: number;
  readonly duplicatedEffects: number;
  /** Figures particular to one test (timings, reconnects, ...). */
  readonly extra?: Readonly<Record<string, number | string>>;
}

/**
 * One line per test on stdout, written directly (not through console, which jest buffers and
 * decorates), so a CI log shows the figures of every run next to the test names.
 */
export function reportFigures(test: string, figures: FaultFigures): void {
  const { extra = {}, ...core } = figures;
  const fields = [
    `sent=${core.sent}`,
    `handled=${core.handled}`,
    `redelivered=${core.redelivered}`,
    `dead-lettered=${core.deadLettered}`,
    `lost=${core.lost}`,
    `duplicated-effects=${core.duplicatedEffects}`,
    ...Object.entries(extra).map(([name, value]) => `${name}=${value}`),
  ];
  process.stdout.write(`[fault:${test}] ${fields.join(' ')}\n`);
}
