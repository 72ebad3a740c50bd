import { loadAgentSet, parseEvalSet, type EvalCase, type EvalCaseInput } from '../../eval/eval-case';
import { answerFor, DONT_KNOW, runCase, summarise, type CaseResult } from '../../eval/harness';
import { factFound, prdTexts, scoreDecisions, scoreFacts } from '../../eval/metrics';
import type { AuthoredPrd } from '../../src/contexts/product-definition/contracts';
import { fieldOfQuestion } from '../../src/contexts/product-definition/domain/clarification';
import type {
  AgentUsage,
  Assessment,
  AssessmentInput,
  ClarifyingQuestion,
  ProductManagerAgent,
} from '../../src/contexts/product-definition/domain/product-manager-agent';
import { silentLogger } from '../../src/shared/logging/logger';

const usage: AgentUsage = { agent: 'rule-based', model: null, promptVersion: 'fake', tokensIn: 10, tokensOut: 5, calls: 1, callMs: 2 };

/** A scripted agent: the harness's arithmetic is under test here, not an agent. */
function scripted(script: (input: AssessmentInput) => Assessment): ProductManagerAgent & { inputs: AssessmentInput[] } {
  const inputs: AssessmentInput[] = [];
  return {
    kind: 'rule-based',
    inputs,
    assess: async (input) => {
      inputs.push(input);
      return script(input);
    },
  };
}

const ask = (...questions: ClarifyingQuestion[]): Assessment => ({ kind: 'questions', questions, usage });
const q = (field: ClarifyingQuestion['field']): ClarifyingQuestion => ({ field, question: `What about ${field}?`, why: 'It shapes the PRD.' });

/** A grounded PRD whose goal states `goal`, quoting `quote` from the request. */
function prd(goal: string, quote: string, extra: Partial<AuthoredPrd> = {}): AuthoredPrd {
  const sources = [{ kind: 'request' as const, quote }];
  return {
    title: 'A PRD',
    problem: 'The problem as stated.',
    goals: [{ text: goal, sources }],
    nonGoals: [],
    userStories: [{ asA: 'user', iWant: 'the thing', soThat: 'it works', sources, acceptanceCriteria: [{ text: 'It works.', sources }] }],
    functionalRequirements: [{ id: 'FR-1', description: 'Do the thing.', priority: 'P0', sources }],
    nonFunctionalRequirements: [],
    assumptions: [],
    risks: [],
    successMetrics: [],
    openQuestions: [],
    changeLog: [],
    ...extra,
  };
}

function evalCase(overrides: Partial<EvalCaseInput> = {}): EvalCase {
  const [parsed] = parseEvalSet([
    {
      id: 'case-1',
      domain: 'test',
      title: 'Export reports',
      description: 'Account managers need to export reports as CSV.',
      priority: 'normal',
      expected: 'prd',
      lacks: [],
      answers: {},
      facts: [['CSV']],
      ...overrides,
    },
  ]);
  if (!parsed) throw new Error('no case');
  return parsed;
}

const options = { maxClarificationRounds: 2, logger: silentLogger() };

describe('decision precision and recall ("needs clarification" is positive)', () => {
  it('counts each cell of the confusion matrix', () => {
    const score = scoreDecisions([
      { expected: 'clarify', decided: 'clarify' },
      { expected: 'clarify', decided: 'clarify' },
      { expected: 'clarify', decided: 'prd' },
      { expected: 'clarify', decided: 'give-up' },
      { expected: 'prd', decided: 'clarify' },
      { expected: 'prd', decided: 'prd' },
      { expected: 'prd', decided: 'error' },
    ]);
    expect(score).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 2, trueNegatives: 1 });
    expect(score.precision).toBeCloseTo(2 / 3);
    expect(score.recall).toBeCloseTo(2 / 4);
    expect(score.accuracy).toBeCloseTo(3 / 7);
  });

  it('has no precision when the agent never asked, and no recall when nothing needed asking', () => {
    expect(scoreDecisions([{ expected: 'clarify', decided: 'prd' }])).toMatchObject({ precision: null, recall: 0 });
    expect(scoreDecisions([{ expected: 'prd', decided: 'prd' }])).toMatchObject({ precision: null, recall: null, accuracy: 1 });
    expect(scoreDecisions([])).toMatchObject({ precision: null, recall: null, accuracy: null });
  });
});

describe('fact matching', () => {
  it('matches any alternative, ignoring case and line breaks', () => {
    expect(factFound(['4 s', '4 seconds'], 'Cut p95 from 4 Seconds to 1 s')).toBe(true);
    expect(factFound(['account manager'], 'For every Account\nManager')).toBe(true);
    expect(factFound(['CSV'], 'export as XLSX')).toBe(false);
  });

  it('matches a regex case-insensitively', () => {
    expect(factFound({ regex: '\\b4 ?(s|seconds)\\b' }, 'p95 is 4S today')).toBe(true);
    expect(factFound({ regex: '\\b4 ?(s|seconds)\\b' }, 'p95 is 14 s today')).toBe(false);
  });

  it('scores found over total and names what is missing', () => {
    expect(scoreFacts([['CSV'], ['account manager'], { regex: 'p9[59]' }], 'CSV export, p95 under 1 s')).toEqual({
      found: 2,
      total: 3,
      missing: ['account manager'],
    });
  });

  it('reads what the PRD states, not the quotes of its sources', () => {
    const text = prdTexts(prd('Export reports', 'as CSV'));
    expect(text).toContain('Export reports');
    expect(text).not.toContain('as CSV');
  });
});

describe('runCase', () => {
  it('takes round 1 as the decision, answers from the case (or "I don\'t know") and scores specificity and facts', async () => {
    const c = evalCase({
      expected: 'clarify',
      lacks: ['audience', 'outcome'],
      answers: { audience: 'Account managers in the EMEA team.', outcome: 'Exports in under 10 seconds.' },
      facts: [['CSV'], ['EMEA'], ['10 seconds'], ['Salesforce']],
    });
    const agent = scripted((input) =>
      input.clarificationRounds === 0
        ? ask(q('audience'), q('constraints'))
        : { kind: 'prd', prd: prd('Serve the EMEA account managers with CSV exports', 'account managers need to export reports as csv'), usage },
    );
    const result = await runCase(agent, c, options);

    expect(result).toMatchObject({ decided: 'clarify', end: 'prd', rounds: 1, facts: { found: 2, total: 4, missing: ['10 seconds', 'Salesforce'] } });
    expect(result.questions.map((x) => [x.field, x.specific, x.answer])).toEqual([
      ['audience', true, 'Account managers in the EMEA team.'],
      ['constraints', false, DONT_KNOW],
    ]);
    const second = agent.inputs[1];
    expect(second?.clarificationRounds).toBe(1);
    expect(second?.clarificationLog.map((e) => fieldOfQuestion(e.question))).toEqual(['audience', 'constraints']);
    expect(second?.clarificationLog[0]?.question).toMatch(/^About who it is for: What about audience\? Why it matters: /);
    expect(result.usage).toEqual({ calls: 2, tokensIn: 20, tokensOut: 10, callMs: 4 });
  });

  it('counts the findings of a draft before its repair, and the repair', async () => {
    const c = evalCase();
    const agent = scripted((input) =>
      input.repair
        ? { kind: 'prd', prd: prd('Export reports as CSV', 'export reports as csv'), usage }
        : { kind: 'prd', prd: prd('Export 500 reports as CSV', 'export reports as csv', { risks: [{ text: 'Nobody exports.', sources: [] }] }), usage },
    );
    const result = await runCase(agent, c, options);
    expect(result).toMatchObject({ decided: 'prd', end: 'prd', repairs: 1, finalFindings: {}, draftFindings: { 'unsupported-number': 1, 'no-source': 1 } });
  });

  it('records a refusal after the repair with what was still wrong', async () => {
    const c = evalCase();
    const agent = scripted(() => ({ kind: 'prd', prd: prd('Export 500 reports', 'export reports'), usage }));
    const result = await runCase(agent, c, options);
    expect(result).toMatchObject({ decided: 'prd', end: 'refused', facts: null, repairs: 1, refusalFindings: { 'unsupported-number': 1 } });
    expect(result.detail).toMatch(/^UngroundedPrdError/);
  });

  it('stops at the round limit: questions there break the policy and end the case as an error', async () => {
    const c = evalCase({ expected: 'clarify', lacks: ['scope'], answers: { scope: 'Reports only.' } });
    const agent = scripted(() => ask(q('scope')));
    const result = await runCase(agent, c, { ...options, maxClarificationRounds: 1 });
    expect(result).toMatchObject({ decided: 'clarify', end: 'error', rounds: 1 });
    expect(result.detail).toMatch(/^ClarificationPolicyError/);
    expect(agent.inputs).toHaveLength(2);
  });

  it('an agent that throws on round 1 decided nothing', async () => {
    const agent: ProductManagerAgent = {
      kind: 'llm',
      assess: async () => {
        throw new Error('provider down');
      },
    };
    expect(await runCase(agent, evalCase(), options)).toMatchObject({ decided: 'error', end: 'error', detail: 'Error: provider down' });
  });

  it('ends the case, not the run, on a malformed question', async () => {
    const agent = scripted(() => ({ kind: 'questions', questions: ['Who is it for?'], usage }) as unknown as Assessment);
    const result = await runCase(agent, evalCase(), options);
    expect(result).toMatchObject({ decided: 'clarify', end: 'error', rounds: 0, questions: [] });
    expect(result.detail).toMatch(/^malformed question/);
  });

  it('ends the case on a PRD outside the schema, and counts the malformed draft', async () => {
    const { goals: _goals, ...noGoals } = prd('Export reports as CSV', 'export reports as csv');
    const agent = scripted(() => ({ kind: 'prd', prd: noGoals, usage }) as unknown as Assessment);
    const result = await runCase(agent, evalCase(), options);
    expect(result).toMatchObject({ decided: 'prd', end: 'error', facts: null, malformedDrafts: 1 });
  });

  it('gives the vague answer first, the real one when asked again, and scores the follow-up', async () => {
    const c = evalCase({ expected: 'clarify', lacks: ['outcome'], answers: { outcome: ['Faster.', 'p95 under 1 s.'] }, followUp: ['outcome'] });
    const agent = scripted((input) =>
      input.clarificationRounds < 2 ? ask(q('outcome')) : { kind: 'prd', prd: prd('Export reports as CSV', 'export reports as csv'), usage },
    );
    const result = await runCase(agent, c, options);
    expect(result.questions.map((x) => [x.round, x.answer])).toEqual([
      [1, 'Faster.'],
      [2, 'p95 under 1 s.'],
    ]);
    expect(result.followUps).toEqual([{ field: 'outcome', askedAgain: true }]);

    const once = scripted((input) =>
      input.clarificationRounds === 0 ? ask(q('outcome')) : { kind: 'prd', prd: prd('Export reports as CSV', 'export reports as csv'), usage },
    );
    expect((await runCase(once, c, options)).followUps).toEqual([{ field: 'outcome', askedAgain: false }]);
    // With one round allowed there is no round left to follow up in: nothing to judge.
    expect((await runCase(once, c, { ...options, maxClarificationRounds: 1 })).followUps).toEqual([]);
  });

  it('answerFor repeats the last answer and falls back to "I don\'t know"', () => {
    const c = evalCase({ expected: 'clarify', lacks: ['outcome'], answers: { outcome: ['a', 'b'] } });
    expect([0, 1, 2].map((n) => answerFor(c, 'outcome', n))).toEqual(['a', 'b', 'b']);
    expect(answerFor(c, 'scope', 0)).toBe(DONT_KNOW);
  });
});

describe('summarise', () => {
  it('aggregates over the cases', async () => {
    const cases = [
      evalCase({ id: 'a', expected: 'clarify', lacks: ['audience'], answers: { audience: 'Account managers.' }, facts: [['CSV'], ['nowhere']] }),
      evalCase({ id: 'b', expected: 'prd', facts: [['CSV']] }),
      evalCase({ id: 'c', expected: 'clarify', lacks: ['scope', 'outcome'], answers: { scope: 'x', outcome: 'y' } }),
    ];
    const agent = scripted((input) =>
      input.taskId !== 'c' && input.clarificationRounds === 0
        ? ask(q('audience'), q('problem'))
        : { kind: 'prd', prd: prd('Export reports as CSV', 'export reports as csv'), usage },
    );
    const results: CaseResult[] = [];
    for (const c of cases) results.push(await runCase(agent, c, options));
    const s = summarise(results, cases);
    expect(s.decisions).toMatchObject({ truePositives: 1, falsePositives: 1, falseNegatives: 1, trueNegatives: 0, precision: 0.5, recall: 0.5 });
    // a: audience specific, problem not; b: neither (it lacks nothing).
    expect(s.specificQuestions).toEqual({ count: 1, total: 4, share: 0.25 });
    // a asked its one lacking field; c asked neither of its two.
    expect(s.lackingFieldsAsked).toEqual({ count: 1, total: 3, share: 1 / 3 });
    expect(s.factRecall).toEqual({ count: 3, total: 4, share: 0.75, cases: 3 });
    expect(s.ends).toEqual({ prd: 3, 'give-up': 0, refused: 0, error: 0 });
  });
});

describe('the agent set', () => {
  const set = loadAgentSet();

  it('has at least 40 cases, roughly half of each expectation', () => {
    expect(set.length).toBeGreaterThanOrEqual(40);
    const clarify = set.filter((c) => c.expected === 'clarify').length;
    expect(clarify / set.length).toBeGreaterThan(0.4);
    expect(clarify / set.length).toBeLessThan(0.6);
  });

  it('asks only for facts the requester actually gave (in the request or an answer)', () => {
    const unfindable = set.flatMap((c) => {
      const said = [c.title, c.description, ...Object.values(c.answers).flat()].join('\n');
      return scoreFacts(c.facts, said).missing.map((fact) => `${c.id}: ${fact}`);
    });
    expect(unfindable).toEqual([]);
  });

  it('refuses a malformed case', () => {
    expect(() => evalCase({ expected: 'clarify', lacks: [] })).toThrow(/lacks something/);
    expect(() => evalCase({ expected: 'clarify', lacks: ['scope'], answers: {} })).toThrow(/no answer for scope/);
    expect(() => evalCase({ expected: 'clarify', lacks: ['scope'], answers: { scope: 'x' }, followUp: ['scope'] })).toThrow(/vague and a real answer/);
  });
});
