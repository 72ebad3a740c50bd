import type { EntityManager } from 'typeorm';
import { execute } from '../sql';

/**
 * Records that `consumer` handled `messageId`, in the caller's transaction. Returns false when it
 * was already recorded: a redelivery, whose effect must not happen a second time. A concurrent
 * duplicate waits on the primary key until the first transaction ends, then sees the conflict.
 */
export async function recordInInbox(manager: EntityManager, consumer: string, messageId: string): Promise<boolean> {
  const result = await execute(manager, `INSERT INTO messaging.inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING message_id`, [
    consumer,
    messageId,
  ]);
  return result.rows.length === 1;
}
