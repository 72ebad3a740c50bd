import nodemailer, { type Transporter } from 'nodemailer';
import type { DeliveryContent } from '../../../application/deliver-notifications/delivery-content';
import type { NotificationChannel } from '../../../application/deliver-notifications/notification-channel';
import { renderEmail } from './render-email';

export interface SmtpSettings {
  /** `smtp://user:pass@host:port` or `smtps://…`; nodemailer options may follow as query parameters (`?ignoreTLS=true`). */
  readonly url: string;
  readonly from: string;
}

/** Thrown for a send the SMTP server refused or that never reached it; its message is a class of error, no credential. */
export class EmailDeliveryError extends Error {
  override readonly name = 'EmailDeliveryError';
}

/** Email over SMTP (nodemailer): a plain-text and an HTML part, tagged with the notification id. */
export class EmailChannel implements NotificationChannel {
  readonly channel = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly smtp: SmtpSettings) {
    this.transport = nodemailer.createTransport(smtp.url);
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

  /**
   * A class of error: nodemailer's code and the SMTP reply code (`SMTP EAUTH 535`, `SMTP ECONNECTION`),
   * never its message (it can repeat the server's address, a recipient or a credential).
   */
  private describe(error: unknown): string {
    const e = error as { code?: unknown; responseCode?: unknown } | null;
    const code = typeof e?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code) ? e.code : 'error';
    return typeof e?.responseCode === 'number' ? `SMTP ${code} ${e.responseCode}` : `SMTP ${code}`;
  }
}
