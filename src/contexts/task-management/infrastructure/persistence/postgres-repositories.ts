import type { TaskManagementRepositoryFactory } from '../../application/repositories';
import { PostgresTaskRepository } from './postgres-task.repository';

/** The context's tables in PostgreSQL (or PGlite), all on the given session's connection. */
export const postgresTaskManagementRepositories: TaskManagementRepositoryFactory = (session) => ({
  tasks: new PostgresTaskRepository(session.manager),
});
