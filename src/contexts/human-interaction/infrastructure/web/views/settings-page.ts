import type { ChannelPreferencesView } from '../../../application/channel-preferences/channel-preferences.service';
import type { RequestIssue } from '../../../domain/human-interaction.errors';
import type { User } from '../../../domain/user';
import { html, type SafeHtml } from '../html';
import { fieldError, invalidAttributes, issuesSummary } from './form-parts';
import { page } from './layout';

/** The addresses as typed, kept when the form comes back with a problem. */
export interface TypedChannels {
  readonly email: string;
  readonly webhookUrl: string;
}

export interface SettingsModel {
  readonly user: User;
  /** What is saved, and what this server can send. */
  readonly saved: ChannelPreferencesView;
  readonly typed?: TypedChannels;
  readonly issues?: readonly RequestIssue[];
  /** The server is not configured for a chosen channel (409): the setting it lacks. */
  readonly conflict?: string;
  readonly flash?: string;
}

function availability(available: boolean, channel: string, setting: string): SafeHtml {
  return available
    ? html`<p class="muted" data-available="true">This server can send ${channel}.</p>`
    : html`<p class="muted" data-available="false">This server cannot send ${channel}: it is not configured for it (${setting}). Ask the operator.</p>`;
}

/** Where notifications reach the signed-in person besides this inbox. */
export function settingsPage(model: SettingsModel): string {
  const { user, saved, issues, conflict, flash } = model;
  const typed = model.typed ?? { email: saved.email ?? '', webhookUrl: saved.webhookUrl ?? '' };
  return page(
    { title: 'Notification settings', user },
    html`<p><a href="/inbox">← Inbox</a></p>
<h1>Notification settings</h1>
${flash && html`<p class="flash" role="status">${flash}</p>`}
${conflict && html`<div class="error" role="alert"><p>Nothing was saved: ${conflict}.</p></div>`}
${issuesSummary(issues)}
<div class="card">
<h2>In-app inbox</h2>
<p>Always on: every notification shows in <a href="/inbox">your inbox</a>.</p>
</div>
<form class="card" method="post" action="/inbox/settings">
<p class="muted">Besides the inbox, notifications (with their one-click links) can reach you by email and by webhook. Leave a field empty to turn that channel off. A change applies to notifications created after it.</p>
<h2>Email</h2>
<label for="email">Email address</label>
<input type="email" id="email" name="email" maxlength="254" value="${typed.email}" placeholder="you@example.com"${invalidAttributes(issues, 'email')}>
${fieldError(issues, 'email')}
${availability(saved.available.email, 'email', 'SMTP_URL')}
<h2>Webhook</h2>
<label for="webhookUrl">Webhook URL <span class="muted">(Slack-compatible; receives a signed JSON POST per notification)</span></label>
<input type="url" id="webhookUrl" name="webhookUrl" maxlength="2000" value="${typed.webhookUrl}" placeholder="https://hooks.example.com/…"${invalidAttributes(issues, 'webhookUrl')}>
${fieldError(issues, 'webhookUrl')}
${availability(saved.available.webhook, 'webhooks', 'WEBHOOK_SECRET')}
<p><button type="submit">Save</button></p>
</form>`,
  );
}
