/** The channels that reach people outside the service; the in-app inbox is always on besides. */
export const DELIVERY_CHANNELS = ['email', 'webhook'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** What a person chose: an address per channel, or null for "not this channel". */
export interface ChannelChoice {
  readonly email: string | null;
  readonly webhookUrl: string | null;
}

export const NO_CHANNELS: ChannelChoice = { email: null, webhookUrl: null };

/** Which channels this service can use: email needs SMTP, a webhook needs a signing secret. */
export interface AvailableChannels {
  readonly email: boolean;
  readonly webhook: boolean;
}

/** The (channel, target) pairs a notification goes to, given a choice and what is configured. */
export function chosenTargets(choice: ChannelChoice, available: AvailableChannels): Array<{ channel: DeliveryChannel; target: string }> {
  const targets: Array<{ channel: DeliveryChannel; target: string }> = [];
  if (choice.email !== null && available.email) targets.push({ channel: 'email', target: choice.email });
  if (choice.webhookUrl !== null && available.webhook) targets.push({ channel: 'webhook', target: choice.webhookUrl });
  return targets;
}
