import type { RepositoryFactory } from '../../../shared/persistence/unit-of-work';
import type { TaskProjectionRepository } from './task-projection.repository';

export interface OrchestrationRepositories {
  readonly projections: TaskProjectionRepository;
}

/** Opens the repositories on one session, so every read and write of a unit of work shares it. */
export type OrchestrationRepositoryFactory = RepositoryFactory<OrchestrationRepositories>;
