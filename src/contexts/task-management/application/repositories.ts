import type { Transaction } from '../../../shared/persistence/unit-of-work';
import type { TaskRepository } from '../domain/task.repository';

/** Gives handlers a repository bound to the unit of work's transaction (one connection on PGlite). */
export interface TaskRepositories {
  forTransaction(tx: Transaction): TaskRepository;
}
