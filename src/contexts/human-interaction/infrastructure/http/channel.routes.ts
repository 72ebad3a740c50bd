import type { FastifyInstance } from 'fastify';
import type { ChannelPreferences } from '../../application/channel-preferences/channel-preferences.service';
import type { RequestUsers } from './bearer-auth';
import { channelPreferencesBody } from './channel-schemas';
import { parseInput } from './http-errors';

export interface ChannelRouteDeps {
  readonly users: RequestUsers;
  readonly channelPreferences: ChannelPreferences;
}

/** The caller's own notification channels; nobody reads or sets another person's. */
export function registerChannelRoutes(app: FastifyInstance, deps: ChannelRouteDeps): void {
  app.get('/me/channels', async (request) => deps.channelPreferences.get(deps.users.of(request)));

  app.put('/me/channels', async (request) => {
    const body = parseInput(channelPreferencesBody, request.body);
    return deps.channelPreferences.replace(deps.users.of(request), { email: body.email ?? null, webhookUrl: body.webhookUrl ?? null });
  });
}
