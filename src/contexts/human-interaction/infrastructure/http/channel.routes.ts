import type { FastifyInstance } from 'fastify';
import { inject, injectable } from 'inversify';
import type { ChannelPreferences } from '../../application/channel-preferences/channel-preferences.service';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { ApiRoutes } from './api-routes';
import type { RequestUsers } from './bearer-auth';
import { channelPreferencesBody } from './channel-schemas';
import { parseInput } from './http-errors';

/** The caller's own notification channels; nobody reads or sets another person's. */
@injectable()
export class ChannelRoutes implements ApiRoutes {
  constructor(@inject(HUMAN_INTERACTION.ChannelPreferences) private readonly channelPreferences: ChannelPreferences) {}

  register(app: FastifyInstance, users: RequestUsers): void {
    app.get('/me/channels', async (request) => this.channelPreferences.get(users.of(request)));

    app.put('/me/channels', async (request) => {
      const body = parseInput(channelPreferencesBody, request.body);
      return this.channelPreferences.replace(users.of(request), { email: body.email ?? null, webhookUrl: body.webhookUrl ?? null });
    });
  }
}
