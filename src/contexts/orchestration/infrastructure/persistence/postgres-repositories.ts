import type { OrchestrationRepositoryFactory } from '../../application/repositories';
import { PostgresTaskProjectionRepository } from './postgres-task-projection.repository';

/** The context's tables in PostgreSQL (or PGlite), all on the given session's connection. */
export const postgresOrchestrationRepositories: OrchestrationRepositoryFactory = (session) => ({
  projections: new PostgresTaskProjectionRepository(session.manager),
});
