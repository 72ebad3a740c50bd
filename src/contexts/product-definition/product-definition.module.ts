import { ContainerModule } from 'inversify';
import { SetAgentPoolHandler } from './application/set-agent-pool/set-agent-pool.handler';
import { SyncRequestOnTaskSnapshot } from './application/sync-request-on-task-snapshot/sync-request-on-task-snapshot.handler';
import { TaskPollingService } from './application/task-polling/task-polling.service';
import { RuleBasedProductManagerAgent } from './infrastructure/agent/rule-based-product-manager-agent';
import { postgresProductDefinitionRepositories } from './infrastructure/persistence/postgres-repositories';
import { ProductDefinitionContext } from './product-definition.context';
import { type ProductDefinitionOptions, productDefinitionOptions, type ProductDefinitionOptionsInput } from './product-definition.options';
import { PRODUCT_DEFINITION } from './product-definition.tokens';

/**
 * Binds the context, its options parsed once (a bad option throws here). Needs SHARED.UnitOfWork
 * (its registry must hold the task-management and product-definition contracts) and SHARED.Logger.
 * The agent is bound here only when the composition root has not bound its own before loading it.
 */
export function productDefinitionModule(input: ProductDefinitionOptionsInput = {}): ContainerModule {
  const options = productDefinitionOptions(input);
  return new ContainerModule(({ bind, isBound }) => {
    bind<ProductDefinitionOptions>(PRODUCT_DEFINITION.Options).toConstantValue(options);
    if (!isBound(PRODUCT_DEFINITION.ProductManagerAgent)) {
      bind(PRODUCT_DEFINITION.ProductManagerAgent).to(RuleBasedProductManagerAgent).inSingletonScope();
    }
    bind(PRODUCT_DEFINITION.Repositories).toConstantValue(postgresProductDefinitionRepositories);
    bind(PRODUCT_DEFINITION.TaskPollingService).to(TaskPollingService).inSingletonScope();
    bind(PRODUCT_DEFINITION.SyncRequestOnTaskSnapshot).to(SyncRequestOnTaskSnapshot).inSingletonScope();
    bind(PRODUCT_DEFINITION.SetAgentPool).to(SetAgentPoolHandler).inSingletonScope();
    bind(PRODUCT_DEFINITION.Context).to(ProductDefinitionContext).inSingletonScope();
  });
}
