import type { ProductDefinitionRepositoryFactory } from '../../application/repositories';
import { PostgresAgentPoolRepository } from './postgres-agent-pool.repository';
import { PostgresPrdRepository } from './postgres-prd.repository';
import { PostgresProductRequestRepository } from './postgres-product-request.repository';
import { PostgresWorkItemRepository } from './postgres-work-item.repository';

/** The context's tables in PostgreSQL (or PGlite), all on the given session's connection. */
export const postgresProductDefinitionRepositories: ProductDefinitionRepositoryFactory = (session) => ({
  requests: new PostgresProductRequestRepository(session.manager),
  workItems: new PostgresWorkItemRepository(session.manager),
  prds: new PostgresPrdRepository(session.manager),
  agentPool: new PostgresAgentPoolRepository(session.manager),
});
