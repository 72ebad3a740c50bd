import { LlmUnavailableError } from '../../../../../../src/contexts/product-definition/infrastructure/agent/llm/llm-errors';
import { FakeLlmServer } from '../../../../../support/fake-llm-server';
import { agentFor, anInput, prdReply, TestTime } from './llm-test-kit';

describe('LlmProductManagerAgent circuit breaker', () => {
  let server: FakeLlmServer;
  let time: TestTime;
  beforeEach(async () => {
    time = new TestTime();
    server = await FakeLlmServer.start({ now: time.now });
  });
  afterEach(() => server.close());

  const failing = (n: number) => Array.from({ length: n }, () => ({ kind: 'status' as const, status: 503 }));

  it('opens after N consecutive provider failures, makes no call during the cool-down, and a successful probe closes it', async () => {
    server.script(...failing(3), { kind: 'reply', content: prdReply() }, { kind: 'reply', content: prdReply() });
    const { agent, registry } = agentFor(server, { breakerFailures: 3, breakerCooldownMs: 10_000 }, { time });

    for (let i = 0; i < 3; i += 1) await expect(agent.assess(anInput())).rejects.toBeInstanceOf(LlmUnavailableError);
    const opened = time.ms;
    expect(agent.availability()).toEqual({
      state: 'paused',
      reason: expect.stringContaining('3 consecutive LLM endpoint failures'),
      until: new Date(opened + 10_000),
    });

    time.advance(9_999);
    await expect(agent.assess(anInput())).rejects.toThrow(/paused until/);
    expect(server.requests).toHaveLength(3);
    expect(await registry.metrics()).toContain('refinery_agent_calls_total{outcome="breaker_open"} 1');

    time.advance(1);
    expect(agent.availability().state).toBe('available');
    expect((await agent.assess(anInput())).kind).toBe('prd');
    expect(agent.availability().state).toBe('available');
    expect((await agent.assess(anInput())).kind).toBe('prd');
    expect(server.requests).toHaveLength(5);
  });

  it('a failed probe opens it again for another cool-down', async () => {
    server.script(...failing(2), { kind: 'status', status: 500 }, { kind: 'reply', content: prdReply() });
    const { agent } = agentFor(server, { breakerFailures: 2, breakerCooldownMs: 5_000 }, { time });
    for (let i = 0; i < 2; i += 1) await expect(agent.assess(anInput())).rejects.toThrow();
    time.advance(5_000);
    await expect(agent.assess(anInput())).rejects.toThrow('(500)');
    expect(agent.availability()).toEqual({
      state: 'paused',
      reason: expect.stringContaining('probe call after the cool-down failed'),
      until: new Date(time.ms + 5_000),
    });
    await expect(agent.assess(anInput())).rejects.toThrow(/paused until/);
    expect(server.requests).toHaveLength(3);
    time.advance(5_000);
    expect((await agent.assess(anInput())).kind).toBe('prd');
  });

  it('calls arriving while the probe is in flight wait for it instead of failing', async () => {
    const { agent } = agentFor(server, { breakerFailures: 1, breakerCooldownMs: 1_000, maxConcurrency: 4 }, { time });
    server.script({ kind: 'status', status: 500 });
    await expect(agent.assess(anInput())).rejects.toThrow();
    time.advance(1_000);
    server.script({ kind: 'reply', content: prdReply(), delayMs: 50 }, { kind: 'reply', content: prdReply() }, { kind: 'reply', content: prdReply() });
    const results = await Promise.all([agent.assess(anInput()), agent.assess(anInput()), agent.assess(anInput())]);
    expect(results.map((r) => r.kind)).toEqual(['prd', 'prd', 'prd']);
    // The two that waited went out only after the probe's reply.
    expect(server.requests[1]?.inFlight).toBe(1);
  });

  it('client errors and bad replies do not open it (the endpoint answered)', async () => {
    server.script(
      { kind: 'status', status: 503 },
      { kind: 'status', status: 401 },
      { kind: 'status', status: 503 },
      { kind: 'reply', content: 'not json' },
      { kind: 'status', status: 503 },
    );
    const { agent } = agentFor(server, { breakerFailures: 2 }, { time });
    for (let i = 0; i < 5; i += 1) await expect(agent.assess(anInput())).rejects.toThrow();
    expect(agent.availability().state).toBe('available');
  });
});
