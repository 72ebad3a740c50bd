import { type Command, Option } from 'commander';
import { ChannelClient, type ChannelsChoice, type ChannelsView } from './channel-client';
import type { CliIo } from './cli-io';
import { type ConnectionFlags, connectionOf, withConnection } from './connection';
import { CliError, EXIT } from './exit-codes';
import { printable, table } from './terminal-text';

type Run = (action: () => Promise<number>) => Promise<void>;

/** `--email a@b` gives the address, `--no-email` false; neither leaves the attribute undefined. */
interface SetFlags extends ConnectionFlags {
  readonly email?: string | false;
  readonly webhookUrl?: string;
  /** commander: true unless --no-webhook (a lone `--no-x` option defaults to true). */
  readonly webhook: boolean;
  readonly json?: boolean;
}

function serverColumn(available: boolean, setting: string): string {
  return available ? 'can send' : `cannot send: not configured (${setting})`;
}

export function formatChannels(view: ChannelsView): string {
  const rows = [
    ['in-app', 'on (always)', 'can send'],
    ['email', view.email === null ? 'off' : printable(view.email), serverColumn(view.available.email, 'SMTP_URL')],
    ['webhook', view.webhookUrl === null ? 'off' : printable(view.webhookUrl), serverColumn(view.available.webhook, 'WEBHOOK_SECRET')],
  ];
  return `${table(['CHANNEL', 'CHOSEN', 'SERVER'], rows)}\n`;
}

/** The current choice with only what the flags name changed: PUT replaces the whole choice. */
export function changedChoice(current: ChannelsChoice, flags: SetFlags): ChannelsChoice {
  return {
    email: flags.email === undefined ? current.email : flags.email === false ? null : flags.email,
    webhookUrl: !flags.webhook ? null : (flags.webhookUrl ?? current.webhookUrl),
  };
}

const print = (io: CliIo, view: ChannelsView, json: boolean | undefined) => io.stdout(json ? `${JSON.stringify(view, null, 2)}\n` : formatChannels(view));

/** `refinery channels [show]` and `refinery channels set …`: where your notifications reach you. */
export function registerChannelCommands(program: Command, io: CliIo, run: Run): void {
  const group = program.command('channels').description('your notification channels: the in-app inbox (always), email, webhook');

  withConnection(group.command('show', { isDefault: true }).description('show your channels and which ones this server can send (the default)'))
    .option('--json', 'print the JSON the server sent')
    .action((flags: ConnectionFlags & { json?: boolean }) =>
      run(async () => {
        print(io, await new ChannelClient(connectionOf(flags, io)).get(), flags.json);
        return EXIT.ok;
      }),
    );

  withConnection(group.command('set').description('change your email and/or webhook; what you do not name stays as it is'))
    .option('--email <address>', 'send notifications to this address (the server needs SMTP_URL)')
    .option('--no-email', 'no more email')
    .option('--webhook-url <url>', 'POST each notification, signed, to this http(s) URL (the server needs WEBHOOK_SECRET)')
    .addOption(new Option('--no-webhook', 'no more webhook').conflicts('webhookUrl'))
    .option('--json', 'print the JSON the server sent')
    .action((flags: SetFlags) =>
      run(async () => {
        if (flags.email === undefined && flags.webhookUrl === undefined && flags.webhook) {
          throw new CliError(EXIT.usage, 'nothing to change: give --email <address>, --no-email, --webhook-url <url> or --no-webhook');
        }
        const client = new ChannelClient(connectionOf(flags, io));
        const current = await client.get();
        const saved = await client.replace(changedChoice(current, flags));
        if (!flags.json) io.stderr('channels saved\n');
        print(io, saved, flags.json);
        return EXIT.ok;
      }),
    );
}
