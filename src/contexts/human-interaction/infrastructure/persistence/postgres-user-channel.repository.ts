import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { execute } from '../../../../shared/persistence/sql';
import { type ChannelChoice, NO_CHANNELS } from '../../application/channel-preferences/channel-choice';
import type { UserChannelRepository } from '../../application/channel-preferences/user-channel.repository';

const userChannelsRow = z.object({ email: z.string().nullable(), webhook_url: z.string().nullable() });

export class PostgresUserChannelRepository implements UserChannelRepository {
  constructor(private readonly manager: EntityManager) {}

  async find(userId: string): Promise<ChannelChoice> {
    const { rows } = await execute(this.manager, `SELECT email, webhook_url FROM human_interaction.user_channels WHERE user_id = $1`, [userId]);
    if (rows.length === 0) return NO_CHANNELS;
    const r = userChannelsRow.parse(rows[0]);
    return { email: r.email, webhookUrl: r.webhook_url };
  }

  async save(userId: string, choice: ChannelChoice, at: Date): Promise<void> {
    await execute(
      this.manager,
      `INSERT INTO human_interaction.user_channels (user_id, email, webhook_url, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, webhook_url = EXCLUDED.webhook_url, updated_at = EXCLUDED.updated_at`,
      [userId, choice.email, choice.webhookUrl, at],
    );
  }
}
