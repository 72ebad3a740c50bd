import { z } from 'zod';
import { storedText } from '../../../../shared/kernel/text';
import { DELIVERY_CHANNELS } from '../../application/channel-preferences/channel-choice';
import { DELIVERY_STATUSES } from '../../application/deliver-notifications/delivery.repository';

export const DEFAULT_DELIVERY_LIST_LIMIT = 100;
const MAX_DELIVERY_LIST_LIMIT = 1_000;

/** GET /api/admin/deliveries: strict, so a misspelt filter is refused rather than ignored. */
export const deliveryListQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).default('failed').describe('Which deliveries (default failed)'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_DELIVERY_LIST_LIMIT)
    .default(DEFAULT_DELIVERY_LIST_LIMIT)
    .describe('At most this many, newest first (default 100)'),
});

/**
 * POST /api/admin/deliveries/retry: one named delivery, or every failed one; exactly one of the
 * two forms, each issue naming the field to fix.
 */
export const deliveryRetryBody = z
  .strictObject({
    notificationId: storedText().min(1).max(200).optional().describe('With channel: the one delivery to send again'),
    channel: z.enum(DELIVERY_CHANNELS).optional(),
    allFailed: z.literal(true).optional().describe('Alone: send every failed delivery again'),
  })
  .superRefine((body, ctx) => {
    const named = body.notificationId !== undefined || body.channel !== undefined;
    if (named && body.allFailed) {
      ctx.addIssue({ code: 'custom', path: ['allFailed'], message: 'give either notificationId and channel, or allFailed, not both' });
    } else if (named) {
      if (body.notificationId === undefined) ctx.addIssue({ code: 'custom', path: ['notificationId'], message: 'is required with channel' });
      if (body.channel === undefined) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'is required with notificationId' });
    } else if (!body.allFailed) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give notificationId and channel, or allFailed: true' });
    }
  })
  .meta({ description: 'Either { notificationId, channel } or { allFailed: true }' });

const isoInstant = z.iso.datetime({ offset: true });

export const deliveryView = z
  .object({
    notificationId: z.string(),
    channel: z.enum(DELIVERY_CHANNELS),
    recipientId: z.string(),
    targetHost: z.string().describe('The email domain or the webhook host (with its port): never the full address, which may hold a secret'),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().describe('Attempts since the delivery was recorded or last retried'),
    lastError: z.string().nullable(),
    nextAttemptAt: isoInstant.nullable().describe('When the worker next tries; null unless pending'),
    createdAt: isoInstant,
    sentAt: isoInstant.nullable(),
  })
  .meta({ id: 'Delivery' });

export const deliveryListView = z.object({ deliveries: z.array(deliveryView) }).meta({ id: 'DeliveryList' });
export const deliveryRetryView = z.object({ retried: z.number().int().describe('How many failed deliveries are pending again') }).meta({ id: 'DeliveryRetry' });
