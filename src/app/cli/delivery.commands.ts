import { type Command, Option } from 'commander';
import type { CliIo } from './cli-io';
import { type ConnectionFlags, connectionOf, positiveInteger, withConnection } from './connection';
import { DELIVERY_CHANNELS, DELIVERY_STATUSES, DeliveryClient, type DeliveryView, type RetrySelection } from './delivery-client';
import { CliError, EXIT } from './exit-codes';
import { instant, printable, table } from './terminal-text';

type Run = (action: () => Promise<number>) => Promise<void>;

interface ListFlags extends ConnectionFlags {
  readonly status: string;
  readonly limit?: number;
  readonly json?: boolean;
}

interface RetryFlags extends ConnectionFlags {
  readonly notification?: string;
  readonly channel?: string;
  readonly allFailed?: boolean;
}

const deliveriesCount = (n: number) => `${n} ${n === 1 ? 'delivery' : 'deliveries'}`;

export function formatDeliveryTable(deliveries: readonly DeliveryView[], status: string): string {
  if (deliveries.length === 0) return `no ${status} deliveries\n`;
  const rows = deliveries.map((d) => [
    printable(d.notificationId),
    printable(d.channel),
    printable(d.recipientId),
    printable(d.targetHost),
    printable(d.status),
    String(d.attempts),
    instant(d.createdAt),
    d.lastError === null ? '-' : printable(d.lastError),
  ]);
  return `${table(['NOTIFICATION', 'CHANNEL', 'TO', 'TARGET', 'STATUS', 'ATTEMPTS', 'CREATED', 'LAST ERROR'], rows)}\n${deliveriesCount(deliveries.length)}\n`;
}

/** Exactly one form, checked here so a mistake sends nothing (exit 2). */
function selectionOf(flags: RetryFlags): RetrySelection {
  const named = flags.notification !== undefined || flags.channel !== undefined;
  if (named && flags.allFailed) throw new CliError(EXIT.usage, 'give either --notification with --channel, or --all-failed, not both');
  if (flags.allFailed) return { allFailed: true };
  if (flags.notification === undefined || flags.channel === undefined) {
    throw new CliError(EXIT.usage, 'give --notification <id> with --channel email|webhook, or --all-failed');
  }
  return { notificationId: flags.notification, channel: flags.channel };
}

/** `refinery deliveries list|retry`: email and webhook deliveries that failed for good, and sending them again (admin). */
export function registerDeliveryCommands(program: Command, io: CliIo, run: Run): void {
  const group = program.command('deliveries').description('see email and webhook deliveries, and send failed ones again (admin)');

  withConnection(group.command('list').description('deliveries in one status, newest first; targets only as email domain or webhook host'))
    .addOption(new Option('--status <status>', 'which deliveries').choices(DELIVERY_STATUSES).default('failed'))
    .option('--limit <n>', 'at most this many (server default 100, at most 1000)', positiveInteger)
    .option('--json', 'print the JSON the server sent')
    .action((flags: ListFlags) =>
      run(async () => {
        const { deliveries, raw } = await new DeliveryClient(connectionOf(flags, io)).list({
          status: flags.status,
          ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        });
        io.stdout(flags.json ? `${JSON.stringify(raw, null, 2)}\n` : formatDeliveryTable(deliveries, flags.status));
        return EXIT.ok;
      }),
    );

  withConnection(group.command('retry').description('send failed deliveries again with a fresh set of attempts: one, or all failed ones'))
    .option('--notification <id>', 'the notification (as `deliveries list` shows it); with --channel')
    .addOption(new Option('--channel <channel>', 'which of its deliveries').choices(DELIVERY_CHANNELS))
    .option('--all-failed', 'every failed delivery')
    .action((flags: RetryFlags) =>
      run(async () => {
        const selection = selectionOf(flags);
        const retried = await new DeliveryClient(connectionOf(flags, io)).retry(selection);
        io.stdout(`${deliveriesCount(retried)} pending again\n`);
        return EXIT.ok;
      }),
    );
}
