import type { Config } from '../src/app/config';
import type { ProductManagerAgent } from '../src/contexts/product-definition/domain/product-manager-agent';
import type { Logger } from '../src/shared/logging/logger';

/**
 * The agents the eval can run, built the way the service builds them. The only file that knows
 * their constructors: adjust here when they change. Each is loaded only when asked for, so running
 * one does not need the other's settings.
 */
export const AGENT_NAMES = ['rule-based', 'llm'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export function isAgentName(name: string): name is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(name);
}

type AgentFactory = (config: Config, logger: Logger) => ProductManagerAgent | Promise<ProductManagerAgent>;

export async function agentFor(name: AgentName, options: { readonly maxClarificationRounds: number; readonly logger: Logger }): Promise<ProductManagerAgent> {
  if (name === 'rule-based') {
    const { RuleBasedProductManagerAgent } = await import('../src/contexts/product-definition/infrastructure/agent/rule-based-product-manager-agent.js');
    return new RuleBasedProductManagerAgent();
  }
  // Dynamic imports name the compiled file (.js), as Node resolves them at run time.
  // The LLM agent reads its provider, model and key from the environment, as the service does.
  const { loadConfig } = await import('../src/app/config.js');
  const { productManagerAgentFrom } = (await import('../src/app/product-manager-agent.js')) as { productManagerAgentFrom: AgentFactory };
  return productManagerAgentFrom(loadConfig(process.env), options.logger);
}
