import type { RepositoryFactory } from '../../application/repositories';
import { PostgresPrdRepository } from './postgres-prd.repository';
import { PostgresProductRequestRepository } from './postgres-product-request.repository';
import { PostgresWorkItemRepository } from './postgres-work-item.repository';

/** The context's tables in PostgreSQL (or PGlite), all on the given transaction's connection. */
export const postgresRepositories: RepositoryFactory = (tx) => ({
  requests: new PostgresProductRequestRepository(tx.manager),
  workItems: new PostgresWorkItemRepository(tx.manager),
  prds: new PostgresPrdRepository(tx.manager),
});
