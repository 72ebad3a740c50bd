import { checkedAssessment } from '../../../../../src/contexts/product-definition/application/task-polling/checked-assessment';
import type { AuthoredPrd } from '../../../../../src/contexts/product-definition/contracts';
import { checkGrounding, type GroundingContext } from '../../../../../src/contexts/product-definition/domain/grounding';
import { UngroundedPrdError } from '../../../../../src/contexts/product-definition/domain/prd.errors';
import type { AssessmentInput } from '../../../../../src/contexts/product-definition/domain/product-manager-agent';
import { RuleBasedProductManagerAgent } from '../../../../../src/contexts/product-definition/infrastructure/agent/rule-based-product-manager-agent';
import { silentLogger } from '../../../../../src/shared/logging/logger';
import { FakeLlmServer, promptText } from '../../../../support/fake-llm-server';
import { anAuthoredPrd, aPrdDocument } from '../../../../support/prd-document';
import { agentFor, anInput, TestTime } from '../../infrastructure/agent/llm/llm-test-kit';

const codes = (prd: AuthoredPrd, context: GroundingContext) => checkGrounding(prd, context).map((f) => f.code);

/** What each agent really writes, held to the one grounding check the service applies. */
describe('the grounding check on what each agent writes', () => {
  describe('the rule-based agent', () => {
    const agent = new RuleBasedProductManagerAgent();
    // At the round limit, so it writes the PRD whatever it would still ask.
    const input: AssessmentInput = {
      ...anInput({ clarificationRounds: 2 }),
      title: 'Faster invoice search',
      description:
        'Accountants search invoices by customer name many times a day, and each search takes about 8 seconds. Search must return results within 2 seconds. Search should also match invoice numbers. The goal is to cut search time from 8 seconds to 2 seconds.',
    };
    let prd: AuthoredPrd;
    beforeAll(async () => {
      const assessment = await agent.assess(input);
      if (assessment.kind !== 'prd') throw new Error(`expected a PRD, got ${assessment.kind}`);
      prd = assessment.prd;
    });
    const context = (): GroundingContext => ({ title: input.title, description: input.description, clarificationLog: [], feedback: [] });

    it('passes as written', () => {
      expect(checkGrounding(prd, context())).toEqual([]);
    });

    it('is refused with a number none of the sources gives', () => {
      const [first, ...rest] = prd.functionalRequirements;
      if (!first) throw new Error('no functional requirement');
      expect(codes({ ...prd, functionalRequirements: [{ ...first, description: `${first.description} for 500 users` }, ...rest] }, context())).toContain(
        'unsupported-number',
      );
    });

    it('is refused with a statement stripped of its sources', () => {
      const [first, ...rest] = prd.functionalRequirements;
      if (!first) throw new Error('no functional requirement');
      expect(codes({ ...prd, functionalRequirements: [{ ...first, sources: [] }, ...rest] }, context())).toEqual(['no-source']);
    });

    it('is refused when a revision leaves a feedback item unaddressed', () => {
      const previous = { ...aPrdDocument(), ...prd, originalRequest: `${input.title}\n\n${input.description}` };
      const feedback = [{ prdVersion: 1, feedback: 'Search must also work on credit notes.' }];
      expect(codes({ ...prd, changeLog: [] }, { ...context(), feedback, previous })).toEqual(['feedback-unaddressed']);
    });
  });

  describe('the LLM agent (against the fake server)', () => {
    let server: FakeLlmServer;
    const time = new TestTime();
    beforeEach(async () => {
      server = await FakeLlmServer.start({ now: time.now });
    });
    afterEach(() => server.close());
    const reply = (prd: AuthoredPrd) => ({ kind: 'reply' as const, content: { decision: 'prd', questions: null, prd, reason: null } });
    const withoutSource = anAuthoredPrd({ goals: [{ text: 'Operators work at night without eye strain', sources: [] }] });
    const unsupportedNumber = anAuthoredPrd({
      goals: [{ text: 'Cut eye-strain complaints by 40%', sources: [{ kind: 'request', quote: 'too bright at night' }] }],
    });

    it('gets one repair call with the findings, and its repaired draft is kept', async () => {
      server.script(reply(unsupportedNumber), reply(anAuthoredPrd()));
      const { agent } = agentFor(server, {}, { time });

      const assessment = await checkedAssessment(agent, anInput(), silentLogger());

      expect(assessment.kind === 'prd' && assessment.prd).toEqual(anAuthoredPrd());
      expect(assessment.usage).toMatchObject({ agent: 'llm', calls: 2 });
      expect(server.requests).toHaveLength(2);
      const second = server.requests[1];
      if (!second) throw new Error('no repair request');
      expect(promptText(second)).toContain('goals[0] (unsupported-number): states 40, which none of its sources contains');
    });

    it('is refused when the repair still has a statement without a source', async () => {
      server.script(reply(withoutSource), reply(withoutSource));
      const { agent } = agentFor(server, {}, { time });

      const failure = await checkedAssessment(agent, anInput(), silentLogger()).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(UngroundedPrdError);
      expect((failure as UngroundedPrdError).findings.map((f) => f.code)).toEqual(['no-source']);
    });

    it('is refused when a revision leaves the feedback unaddressed, twice', async () => {
      server.script(reply(anAuthoredPrd()), reply(anAuthoredPrd()));
      const { agent } = agentFor(server, {}, { time });
      const input = anInput({ feedback: [{ prdVersion: 1, feedback: 'Charts must stay readable' }], previousPrd: aPrdDocument(), clarificationRounds: 1 });

      const failure = await checkedAssessment(agent, input, silentLogger()).catch((error: unknown) => error);

      expect((failure as UngroundedPrdError).findings.map((f) => f.code)).toEqual(['feedback-unaddressed']);
    });
  });
});
