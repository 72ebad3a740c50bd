import type { DeliveryChannel } from '../channel-preferences/channel-choice';

/**
 * Where a delivery went, as far as an operator needs to know: the domain of an email address, the
 * host (and port) of a webhook URL. Never the whole target: a webhook URL often carries a secret in
 * its path or query (Slack-style hooks), and a mailbox name is personal data.
 */
export function targetHostOf(channel: DeliveryChannel, target: string): string {
  if (channel === 'email') {
    const at = target.lastIndexOf('@');
    return at >= 0 ? target.slice(at + 1).toLowerCase() : '(not an address)';
  }
  try {
    // `host` leaves out any user:password@, path, query and fragment.
    return new URL(target).host || '(no host)';
  } catch {
    return '(not a URL)';
  }
}
