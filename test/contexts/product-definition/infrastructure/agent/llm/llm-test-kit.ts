import pino from 'pino';
import { Registry } from 'prom-client';
import type { AssessmentInput } from '../../../../../../src/contexts/product-definition/domain/product-manager-agent';
import { DEFAULT_LLM_AGENT_OPTIONS, type LlmAgentOptions } from '../../../../../../src/contexts/product-definition/infrastructure/agent/llm/llm-agent.options';
import { LlmProductManagerAgent } from '../../../../../../src/contexts/product-definition/infrastructure/agent/llm/llm-product-manager-agent';
import type { Logger } from '../../../../../../src/shared/logging/logger';
import type { FakeLlmServer } from '../../../../../support/fake-llm-server';
import { anAuthoredPrd, DARK_MODE_REQUEST } from '../../../../../support/prd-document';
import { anAssessment } from '../../../support/requests.mother';

export const API_KEY = 'sk-test-SECRET-0123456789abcdef';

/** A clock the agent's sleeps advance: waits cost no real time, and the fake server stamps requests with it. */
export class TestTime {
  ms = Date.parse('2026-01-01T10:00:00Z');
  readonly waits: number[] = [];
  readonly clock = { now: (): Date => new Date(this.ms) };
  readonly now = (): number => this.ms;
  readonly sleep = (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.ms += ms;
    return Promise.resolve();
  };
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A logger whose every line (trace and up) lands in `lines`. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) }), lines };
}

export interface AgentKit {
  readonly agent: LlmProductManagerAgent;
  readonly time: TestTime;
  readonly registry: Registry;
}

export function agentFor(
  server: FakeLlmServer,
  overrides: Partial<LlmAgentOptions> = {},
  { time = new TestTime(), logger = pino({ level: 'silent' }) }: { time?: TestTime; logger?: Logger } = {},
): AgentKit {
  const registry = new Registry();
  const agent = new LlmProductManagerAgent(
    { ...DEFAULT_LLM_AGENT_OPTIONS, baseUrl: server.baseUrl, model: 'test-model', apiKey: API_KEY, timeoutMs: 5_000, maxRetries: 0, ...overrides },
    { logger, clock: time.clock, sleep: time.sleep, random: () => 0.5, metricsRegistry: registry },
  );
  return { agent, time, registry };
}

/** The request `anAuthoredPrd` is grounded in. */
export const DARK_MODE = DARK_MODE_REQUEST;

export function anInput(overrides: Partial<AssessmentInput> = {}): AssessmentInput {
  return anAssessment({ ...DARK_MODE, ...overrides });
}

export function prdReply(): unknown {
  return { decision: 'prd', questions: null, prd: anAuthoredPrd(), reason: null };
}

export function questionsReply(): unknown {
  return {
    decision: 'questions',
    questions: [{ field: 'audience', question: 'Which operators work the night shift?', why: 'The user stories depend on who uses the dark theme.' }],
    prd: null,
    reason: null,
  };
}
