import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { ChannelPreferences } from '../../application/channel-preferences/channel-preferences.service';
import { ActionConflictError, InvalidRequestError } from '../../domain/human-interaction.errors';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import { channelPreferencesBody } from '../http/channel-schemas';
import { field, formBody } from './form-fields';
import { parseForm } from './form-validation';
import { settingsPage, type TypedChannels } from './views/settings-page';
import type { WebAuth } from './web-auth';
import { sendPage } from './web-errors';
import type { WebPages } from './web-pages';

/** A fixed text after saving: nothing from the URL is echoed into the page. */
const SAVED = 'Your notification channels were saved. They apply to notifications created from now on.';

/**
 * /inbox/settings: the signed-in person's notification channels, the same choice as
 * GET/PUT /api/me/channels with the same checks: a bad address is refused naming the field (400),
 * a channel this server is not configured for names the missing setting (409). An empty field
 * turns its channel off, as null does in the API.
 */
@injectable()
export class SettingsPages implements WebPages {
  constructor(@inject(HUMAN_INTERACTION.ChannelPreferences) private readonly channelPreferences: ChannelPreferences) {}

  register(app: FastifyInstance, auth: WebAuth): void {
    const guarded = { preHandler: auth.requireUser };

    app.get('/settings', guarded, async (request, reply) => {
      const user = auth.of(request);
      const saved = await this.channelPreferences.get(user);
      const done = (request.query as { saved?: string } | undefined)?.saved === '1';
      return sendPage(reply, 200, settingsPage({ user, saved, ...(done ? { flash: SAVED } : {}) }));
    });

    app.post('/settings', guarded, async (request, reply) => {
      const user = auth.of(request);
      const body = formBody(request.body);
      const typed: TypedChannels = { email: (field(body, 'email') ?? '').trim(), webhookUrl: (field(body, 'webhookUrl') ?? '').trim() };
      try {
        const choice = parseForm(channelPreferencesBody, { email: typed.email || null, webhookUrl: typed.webhookUrl || null });
        await this.channelPreferences.replace(user, { email: choice.email ?? null, webhookUrl: choice.webhookUrl ?? null });
        return await reply.code(303).header('location', '/inbox/settings?saved=1').send();
      } catch (error) {
        if (error instanceof InvalidRequestError) {
          return sendPage(reply, 400, settingsPage({ user, saved: await this.channelPreferences.get(user), typed, issues: error.issues }));
        }
        if (error instanceof ActionConflictError) {
          return sendPage(reply, 409, settingsPage({ user, saved: await this.channelPreferences.get(user), typed, conflict: error.message }));
        }
        throw error;
      }
    });
  }
}
