import { z } from 'zod';

export const productDefinitionOptionsSchema = z.object({
  /** Work items this process's product-manager pool handles at once; each is claimed with a lease. */
  pollerCount: z.number().int().min(1).default(2),
  /** How long an idle pool waits before looking again (a new item kicks it sooner). */
  pollIntervalMs: z.number().int().min(1).default(1_000),
  /** How long a claim lasts; after it another poller may take the item (its owner died). */
  leaseMs: z.number().int().min(1).default(60_000),
  /** Claims of one item before the task is failed instead of tried again. */
  maxAttempts: z.number().int().min(1).default(3),
  /** Rounds of questions the agent may ask before it writes the PRD with open questions. */
  maxClarificationRounds: z.number().int().min(0).default(2),
});

/** The options as the context uses them, every default applied. */
export type ProductDefinitionOptions = z.output<typeof productDefinitionOptionsSchema>;
/** What `productDefinitionModule` takes: any option left out gets its default. */
export type ProductDefinitionOptionsInput = z.input<typeof productDefinitionOptionsSchema>;

export function productDefinitionOptions(input: ProductDefinitionOptionsInput = {}): ProductDefinitionOptions {
  return productDefinitionOptionsSchema.parse(input);
}

export const DEFAULT_PRODUCT_DEFINITION_OPTIONS: ProductDefinitionOptions = productDefinitionOptions();
