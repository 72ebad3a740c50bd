import { z } from 'zod';
import { failure } from './api-client';
import { requestJson, type ServiceConnection } from './service-request';

/** GET/PUT /api/me/channels as the CLI reads it; unknown fields are ignored. */
export const channelsView = z.object({
  inApp: z.literal(true),
  email: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  available: z.object({ email: z.boolean(), webhook: z.boolean() }),
});
export type ChannelsView = z.infer<typeof channelsView>;

/** The whole choice PUT replaces: a channel that is null is off. */
export interface ChannelsChoice {
  readonly email: string | null;
  readonly webhookUrl: string | null;
}

const PATH = '/api/me/channels';

/** The caller's own notification channels (nobody reads or sets another person's). */
export class ChannelClient {
  constructor(private readonly connection: ServiceConnection) {}

  async get(): Promise<ChannelsView> {
    return channelsView.parse(await requestJson(this.connection, 'GET', PATH, undefined, failure));
  }

  async replace(choice: ChannelsChoice): Promise<ChannelsView> {
    return channelsView.parse(await requestJson(this.connection, 'PUT', PATH, choice, failure));
  }
}
