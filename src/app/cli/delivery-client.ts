import { z } from 'zod';
import { failure } from './api-client';
import { requestJson, type ServiceConnection } from './service-request';

export const DELIVERY_STATUSES = ['failed', 'pending', 'sent'] as const;
export const DELIVERY_CHANNELS = ['email', 'webhook'] as const;

/** GET /api/admin/deliveries as the CLI reads it; unknown fields are ignored. */
export const deliveryView = z.object({
  notificationId: z.string(),
  channel: z.string(),
  recipientId: z.string(),
  targetHost: z.string(),
  status: z.string(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type DeliveryView = z.infer<typeof deliveryView>;

export type RetrySelection = { readonly notificationId: string; readonly channel: string } | { readonly allFailed: true };

/** Admin: email and webhook deliveries (`/api/admin/deliveries`). */
export class DeliveryClient {
  constructor(private readonly connection: ServiceConnection) {}

  async list(filter: { readonly status?: string; readonly limit?: number }): Promise<{ deliveries: DeliveryView[]; raw: unknown }> {
    const params = new URLSearchParams();
    if (filter.status !== undefined) params.set('status', filter.status);
    if (filter.limit !== undefined) params.set('limit', String(filter.limit));
    const query = params.toString() ? `?${params.toString()}` : '';
    const raw = await requestJson(this.connection, 'GET', `/api/admin/deliveries${query}`, undefined, failure);
    return { deliveries: z.object({ deliveries: z.array(deliveryView) }).parse(raw).deliveries, raw };
  }

  async retry(selection: RetrySelection): Promise<number> {
    const body = await requestJson(this.connection, 'POST', '/api/admin/deliveries/retry', selection, failure);
    return z.object({ retried: z.number() }).parse(body).retried;
  }
}
