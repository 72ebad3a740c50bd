import { loadConfig } from '../src/app/config';
import { productManagerAgentFrom } from '../src/app/product-manager-agent';
import type { ProductManagerAgent } from '../src/contexts/product-definition/domain/product-manager-agent';
import type { Logger } from '../src/shared/logging/logger';

/** The agents the eval can run, built by the service's own `productManagerAgentFrom`. */
export const AGENT_NAMES = ['rule-based', 'llm'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export function isAgentName(name: string): name is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(name);
}

/** The agent the service would run with AGENT=`name`, configured from the environment as the service is. */
export function agentFor(name: AgentName, logger: Logger): ProductManagerAgent {
  return productManagerAgentFrom(loadConfig({ ...process.env, AGENT: name }), logger);
}
