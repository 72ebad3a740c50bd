import nodemailer, { type Transporter } from 'nodemailer';
import type { DeliveryContent } from '../../../application/deliver-notifications/delivery-content';
import type { NotificationChannel } from '../../../application/deliver-notifications/notification-channel';
import { renderEmail } from './render-email';

export interface SmtpSettings {
  /** `smtp://user:pass@host:port` or `smtps://…`; nodemailer options may follow as query parameters (`?ignoreTLS=true`). */
  readonly url: string;
  readonly from: string;
}

/** Thrown for a send the SMTP server refused or that never reached it; its message holds no credential. */
export class EmailDeliveryError extends Error {
  override readonly name = 'EmailDeliveryError';
}

/** The credentials inside the SMTP URL, so an error that repeats them can be cleaned. */
function secretsOf(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [parsed.password, decodeURIComponent(parsed.password)].filter((s) => s.length >= 3);
  } catch {
    return [];
  }
}

/** Email over SMTP (nodemailer): a plain-text and an HTML part, tagged with the notification id. */
export class EmailChannel implements NotificationChannel {
  readonly channel = 'email' as const;
  private readonly transport: Transporter;
  private readonly secrets: readonly string[];

  constructor(private readonly smtp: SmtpSettings) {
    this.transport = nodemailer.createTransport(smtp.url);
    this.secrets = secretsOf(smtp.url);
  }

  async send(to: string, content: DeliveryContent, signal: AbortSignal): Promise<void> {
    const email = renderEmail(content);
    try {
      await this.transport.sendMail({
        from: this.smtp.from,
        to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: { 'X-Refinery-Notification': content.notificationId, 'Auto-Submitted': 'auto-generated' },
        signal,
      });
    } catch (error) {
      throw new EmailDeliveryError(this.describe(error));
    }
  }

  /** Ends pooled SMTP connections (`?pool=true`), which would otherwise outlive the service's stop. */
  close(): void {
    this.transport.close();
  }

  private describe(error: unknown): string {
    const e = error as { code?: unknown; message?: unknown } | null;
    const code = typeof e?.code === 'string' ? e.code : 'error';
    let message = typeof e?.message === 'string' ? e.message : String(error);
    for (const secret of this.secrets) message = message.split(secret).join('[redacted]');
    return `SMTP ${code}: ${message}`;
  }
}
