import { z } from 'zod';
import { withTextRule } from '../../../../shared/kernel/text';

/**
 * PUT /api/me/channels: the whole choice (a channel left out or null is off). Unknown keys are
 * refused so a misspelt channel is reported rather than silently ignored.
 */
export const channelPreferencesBody = z.strictObject({
  email: withTextRule(z.email()).max(254).nullable().optional().describe('Where notification emails go; null for no email. Needs SMTP_URL on the server.'),
  webhookUrl: withTextRule(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }))
    .max(2_000)
    .nullable()
    .optional()
    .describe('An http(s) URL that receives a signed JSON POST per notification; null for none. Needs WEBHOOK_SECRET on the server.'),
});

export const channelPreferencesView = z.object({
  inApp: z.literal(true).describe('The in-app inbox is always on'),
  email: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  available: z.object({ email: z.boolean(), webhook: z.boolean() }).describe('Channels this server is configured to send'),
});
