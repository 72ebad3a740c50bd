/** Container tokens of the product-definition context. */
export const PRODUCT_DEFINITION = {
  Context: Symbol.for('product-definition.Context'),
  /** A `ProductDefinitionOptions`; the module binds the defaults unless the composition root did. */
  Options: Symbol.for('product-definition.Options'),
  ProductManagerAgent: Symbol.for('product-definition.ProductManagerAgent'),
  /** Opens the context's repositories on one session (a `ProductDefinitionRepositoryFactory`). */
  Repositories: Symbol.for('product-definition.Repositories'),
  SyncRequestOnTaskSnapshot: Symbol.for('product-definition.SyncRequestOnTaskSnapshot'),
  /** Handles operators' `set-agent-pool` (SetAgentPoolHandler). */
  SetAgentPool: Symbol.for('product-definition.SetAgentPool'),
  TaskPollingService: Symbol.for('product-definition.TaskPollingService'),
} as const;
