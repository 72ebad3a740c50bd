import type { RepositoryFactory } from '../../../shared/persistence/unit-of-work';
import type { AgentPoolRepository } from '../domain/agent-pool';
import type { PrdRepository } from '../domain/prd';
import type { ProductRequestRepository } from '../domain/product-request';
import type { WorkItemRepository } from '../domain/work-item';

export interface ProductDefinitionRepositories {
  readonly requests: ProductRequestRepository;
  readonly workItems: WorkItemRepository;
  readonly prds: PrdRepository;
  readonly agentPool: AgentPoolRepository;
}

/** Opens the repositories on one session, so every read and write of a unit of work shares it. */
export type ProductDefinitionRepositoryFactory = RepositoryFactory<ProductDefinitionRepositories>;

/** Lets the event handler wake the pollers when it created work, instead of waiting for a poll. */
export interface WorkSignal {
  kick(): void;
}
