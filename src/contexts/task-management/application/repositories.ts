import type { RepositoryFactory } from '../../../shared/persistence/unit-of-work';
import type { TaskRepository } from '../domain/task.repository';

export interface TaskManagementRepositories {
  readonly tasks: TaskRepository;
}

/** Opens the repositories on one session, so every read and write of a unit of work shares it. */
export type TaskManagementRepositoryFactory = RepositoryFactory<TaskManagementRepositories>;
