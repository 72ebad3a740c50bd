import { z } from 'zod';

export const productDefinitionOptionsSchema = z.object({
  /** Concurrent poll loops in this process; each claims one work item at a time. */
  pollerCount: z.number().int().min(1),
  /** How long an idle loop waits before looking again (a new item kicks it sooner). */
  pollIntervalMs: z.number().int().min(1),
  /** How long a claim lasts; after it another poller may take the item (its owner died). */
  leaseMs: z.number().int().min(1),
  /** Claims of one item before the task is failed instead of tried again. */
  maxAttempts: z.number().int().min(1),
  /** Rounds of questions the agent may ask before it writes the PRD with open questions. */
  maxClarificationRounds: z.number().int().min(0),
});

export type ProductDefinitionOptions = z.infer<typeof productDefinitionOptionsSchema>;

export const DEFAULT_PRODUCT_DEFINITION_OPTIONS: ProductDefinitionOptions = {
  pollerCount: 2,
  pollIntervalMs: 1_000,
  leaseMs: 60_000,
  maxAttempts: 3,
  maxClarificationRounds: 2,
};

export function productDefinitionOptions(overrides: Partial<ProductDefinitionOptions> = {}): ProductDefinitionOptions {
  return productDefinitionOptionsSchema.parse({ ...DEFAULT_PRODUCT_DEFINITION_OPTIONS, ...overrides });
}
