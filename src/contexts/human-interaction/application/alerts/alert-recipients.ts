import type { HumanInteractionOptions } from '../../human-interaction.options';

/** ALERT_RECIPIENTS when configured, otherwise every configured admin, in configuration order. */
export function alertRecipientsOf(options: Pick<HumanInteractionOptions, 'users' | 'alertRecipients'>): readonly string[] {
  return options.alertRecipients ?? options.users.filter((u) => u.roles.includes('admin')).map((u) => u.id);
}
