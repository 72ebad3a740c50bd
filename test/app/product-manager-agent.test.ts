import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/app/config';
import type { Application } from '../../src/app/container';
import { productDefinitionOptionsFrom } from '../../src/app/options';
import { productManagerAgentFrom } from '../../src/app/product-manager-agent';
import { startTestApp } from '../support/app';
import { FakeLlmServer } from '../support/fake-llm-server';

const KEY = 'sk-app-SECRET-abcdef0123456789';
const LLM = { AGENT: 'llm', LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'llama3.1' };

function configProblems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('AGENT / LLM_* configuration', () => {
  it('refuses an LLM_BASE_URL carrying credentials or a query string, naming the variable and not echoing it', () => {
    for (const url of ['https://user:sk-in-url@api.example.com/v1', 'https://api.example.com/v1?api-key=sk-in-url']) {
      const message = configProblems({ ...LLM, LLM_BASE_URL: url });
      expect(message).toContain('LLM_BASE_URL');
      expect(message).toContain('must not carry credentials or a query string');
      expect(message).not.toContain('sk-in-url');
    }
  });

  it('gives the LLM agent a lease that outlasts its slowest assessment unless LEASE_MS is set', () => {
    expect(productDefinitionOptionsFrom(loadConfig(LLM)).leaseMs).toBe(480_000);
    expect(productDefinitionOptionsFrom(loadConfig({ ...LLM, LLM_TIMEOUT_MS: '10000', LLM_MAX_RETRIES: '0' })).leaseMs).toBe(2 * (10_000 + 30_000));
    expect(productDefinitionOptionsFrom(loadConfig({ ...LLM, LEASE_MS: '90000' })).leaseMs).toBe(90_000);
    expect(productDefinitionOptionsFrom(loadConfig({})).leaseMs).toBeUndefined();
  });

  it('defaults to the rule-based agent', () => {
    const config = loadConfig({});
    expect(config.AGENT).toBe('rule-based');
    expect(productManagerAgentFrom(config, pino({ level: 'silent' })).kind).toBe('rule-based');
  });

  it('AGENT=llm without LLM_MODEL stops start-up naming it', () => {
    const message = configProblems({ AGENT: 'llm', LLM_BASE_URL: 'http://localhost:11434/v1' });
    expect(message).toContain('LLM_MODEL: required when AGENT=llm');
    expect(message).not.toContain('LLM_BASE_URL:');
  });

  it('AGENT=llm without LLM_BASE_URL stops start-up naming it', () => {
    expect(configProblems({ AGENT: 'llm', LLM_MODEL: 'gpt-4o-mini' })).toContain('LLM_BASE_URL: required when AGENT=llm');
  });

  it.each([
    [{ ...LLM, LLM_BASE_URL: 'localhost:11434' }, 'LLM_BASE_URL'],
    [{ ...LLM, LLM_TIMEOUT_MS: 'soon' }, 'LLM_TIMEOUT_MS'],
    [{ ...LLM, LLM_MAX_CONCURRENCY: '0' }, 'LLM_MAX_CONCURRENCY'],
    [{ ...LLM, LLM_TEMPERATURE: '3' }, 'LLM_TEMPERATURE'],
    [{ ...LLM, LLM_BREAKER_FAILURES: '0' }, 'LLM_BREAKER_FAILURES'],
    [{ AGENT: 'gpt' }, 'AGENT'],
  ])('%j is refused naming %s, without echoing the API key', (env, variable) => {
    const message = configProblems({ ...env, LLM_API_KEY: KEY });
    expect(message).toContain(`${variable}:`);
    expect(message).not.toContain(KEY);
  });

  it('builds the LLM agent from the variables and logs its choice without the key', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const agent = productManagerAgentFrom(loadConfig({ ...LLM, LLM_API_KEY: KEY, LLM_TIMEOUT_MS: '1000' }), logger);
    expect(agent.kind).toBe('llm');
    expect(agent.availability?.()).toEqual({ state: 'available' });
    expect(lines.join('\n')).toContain('llama3.1');
    expect(lines.join('\n')).not.toContain(KEY);
  });
});

describe('the service with AGENT=llm', () => {
  let server: FakeLlmServer;
  let app: Application | undefined;
  beforeAll(async () => {
    server = await FakeLlmServer.start();
    app = await startTestApp({
      env: {
        AGENT: 'llm',
        LLM_BASE_URL: server.baseUrl,
        LLM_MODEL: 'test-model',
        LLM_API_KEY: KEY,
        LLM_MAX_RETRIES: '0',
        LLM_BREAKER_FAILURES: '1',
        LLM_BREAKER_COOLDOWN_MS: '600000',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await server.close();
  });

  it('binds the LLM agent; /ready stays 200 but reports it degraded while its breaker is open; /metrics counts its calls', async () => {
    const agent = app?.agent;
    expect(agent?.kind).toBe('llm');
    const ready = await app?.http.inject({ method: 'GET', url: '/ready' });
    expect(ready?.statusCode).toBe(200);
    expect(ready?.json()).toMatchObject({ agent: 'available' });

    server.script({ kind: 'status', status: 503 });
    await expect(
      agent?.assess({
        taskId: 't',
        title: 'Add dark mode',
        description: 'Too bright',
        priority: 'normal',
        clarificationLog: [],
        feedback: [],
        clarificationRounds: 0,
        maxClarificationRounds: 2,
      }),
    ).rejects.toThrow('(503)');

    const degraded = await app?.http.inject({ method: 'GET', url: '/ready' });
    expect(degraded?.statusCode).toBe(200);
    expect(degraded?.json()).toMatchObject({
      status: 'ready',
      agent: 'degraded',
      agentReason: expect.stringContaining('consecutive LLM endpoint failures'),
      agentUntil: expect.any(String),
    });
    const metrics = await app?.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics?.body).toContain('refinery_agent_calls_total{outcome="retryable_error"} 1');
    expect(metrics?.body).toContain('refinery_agent_call_duration_seconds_bucket');
    expect(metrics?.body).toContain('# TYPE refinery_agent_tokens_total counter');
  });
});
