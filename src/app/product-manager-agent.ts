import type { Registry } from 'prom-client';
import type { ProductManagerAgent } from '../contexts/product-definition/domain/product-manager-agent';
import {
  DEFAULT_LLM_AGENT_OPTIONS,
  type LlmAgentOptions,
  slowestAssessmentMs,
} from '../contexts/product-definition/infrastructure/agent/llm/llm-agent.options';
import { LlmProductManagerAgent } from '../contexts/product-definition/infrastructure/agent/llm/llm-product-manager-agent';
import { RuleBasedProductManagerAgent } from '../contexts/product-definition/infrastructure/agent/rule-based-product-manager-agent';
import { productDefinitionOptions } from '../contexts/product-definition/product-definition.options';
import type { Clock } from '../shared/kernel/clock';
import type { Logger } from '../shared/logging/logger';
import { ConfigError, type Config } from './config';
import { definedOnly, productDefinitionOptionsFrom } from './options';

/** The LLM agent's options from the environment, its own defaults for what is unset. */
export function llmAgentOptionsFrom(config: Config): LlmAgentOptions {
  if (!config.LLM_BASE_URL || !config.LLM_MODEL) {
    throw new ConfigError([`${config.LLM_BASE_URL ? 'LLM_MODEL' : 'LLM_BASE_URL'}: required when AGENT=llm`]);
  }
  return {
    ...DEFAULT_LLM_AGENT_OPTIONS,
    ...definedOnly({
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxConcurrency: config.LLM_MAX_CONCURRENCY,
      temperature: config.LLM_TEMPERATURE,
      strictJsonSchema: config.LLM_STRICT_SCHEMA,
      maxRetries: config.LLM_MAX_RETRIES,
      breakerFailures: config.LLM_BREAKER_FAILURES,
      breakerCooldownMs: config.LLM_BREAKER_COOLDOWN_MS,
    }),
    baseUrl: config.LLM_BASE_URL,
    model: config.LLM_MODEL,
    ...(config.LLM_API_KEY ? { apiKey: config.LLM_API_KEY } : {}),
  };
}

/**
 * The product manager the config asks for (AGENT): the rule-based one, or the LLM agent with its
 * metrics on `metricsRegistry` (the one /metrics serves). Logs what it chose, never the key.
 */
export function productManagerAgentFrom(config: Config, logger: Logger, metricsRegistry?: Registry, clock?: Clock): ProductManagerAgent {
  if (config.AGENT !== 'llm') return new RuleBasedProductManagerAgent();
  const pd = productDefinitionOptions(productDefinitionOptionsFrom(config));
  const options = llmAgentOptionsFrom(config);
  const worstCaseMs = slowestAssessmentMs(options);
  const summary = {
    baseUrl: options.baseUrl,
    model: options.model,
    apiKey: options.apiKey ? 'set' : 'unset',
    timeoutMs: options.timeoutMs,
    maxConcurrency: options.maxConcurrency,
  };
  logger.info(summary, 'product-manager agent: LLM');
  if (worstCaseMs >= pd.leaseMs) {
    logger.warn(
      { leaseMs: pd.leaseMs, worstCaseMs },
      'LEASE_MS is shorter than the slowest assessment (a draft and a repair, each with LLM_MAX_RETRIES retries of LLM_TIMEOUT_MS, backoff and a Retry-After): a slow item may be taken over by another poller and its result discarded; leave LEASE_MS unset for a lease that fits',
    );
  }
  return new LlmProductManagerAgent(options, { logger, ...(metricsRegistry ? { metricsRegistry } : {}), ...(clock ? { clock } : {}) });
}
