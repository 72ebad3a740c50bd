import { prdDocumentSchema, type PrdDocument } from '../../../../../src/contexts/product-definition/contracts';
import type { Assessment } from '../../../../../src/contexts/product-definition/domain/product-manager-agent';
import { RuleBasedProductManagerAgent } from '../../../../../src/contexts/product-definition/infrastructure/agent/rule-based-product-manager-agent';
import { anAssessment, COMPLETE_REQUEST, VAGUE_REQUEST } from '../../support/requests.mother';

const agent = new RuleBasedProductManagerAgent({ maxClarificationRounds: 2 });

function questionsOf(assessment: Assessment): readonly string[] {
  if (assessment.kind !== 'questions') throw new Error(`expected questions, got ${JSON.stringify(assessment)}`);
  return assessment.questions;
}

function prdOf(assessment: Assessment): PrdDocument {
  if (assessment.kind !== 'prd') throw new Error(`expected a PRD, got ${JSON.stringify(assessment)}`);
  return prdDocumentSchema.parse(assessment.prd);
}

const ask = (question: RegExp, questions: readonly string[]): string => {
  const found = questions.find((q) => question.test(q));
  if (!found) throw new Error(`no question matching ${question} in ${JSON.stringify(questions)}`);
  return found;
};

describe('RuleBasedProductManagerAgent', () => {
  it('asks a specific question per missing element of a vague request, naming its subject', async () => {
    const questions = questionsOf(await agent.assess(anAssessment(VAGUE_REQUEST)));

    expect(questions).toHaveLength(5);
    for (const question of questions) expect(question).toContain("'the dashboard'");
    ask(/^What problem/, questions);
    ask(/^Who will use/, questions);
    ask(/^What outcome/, questions);
    ask(/acceptance criteria/, questions);
    ask(/^What constraints/, questions);
  });

  it('asks only about what a partly clear request leaves out', async () => {
    const questions = questionsOf(
      await agent.assess(
        anAssessment({
          title: 'Export invoices as CSV',
          description: 'Accountants currently copy invoices by hand into spreadsheets, which is slow. Constraints: none.',
        }),
      ),
    );

    expect(questions).toEqual([
      expect.stringMatching(/^What outcome do you expect from 'export invoices as CSV'/),
      expect.stringMatching(/^How will we know 'export invoices as CSV' is done/),
    ]);
  });

  it('writes a complete PRD at once for a request that states everything', async () => {
    const prd = prdOf(await agent.assess(anAssessment(COMPLETE_REQUEST)));

    expect(prd.title).toBe(COMPLETE_REQUEST.title);
    expect(prd.problem).toMatch(/night shift/);
    expect(prd.userStories[0]).toMatchObject({ asA: expect.stringMatching(/night-shift operators/), iWant: 'dark mode for the dashboard' });
    expect(prd.userStories[0]?.acceptanceCriteria).toEqual([
      'A toggle in settings switches between light and dark',
      'The choice persists across sessions',
      'Every chart stays readable in dark mode',
    ]);
    expect(prd.goals.join(' ')).toMatch(/reduce eye-strain complaints by 50%/i);
    expect(prd.successMetrics.join(' ')).toMatch(/50%/);
    expect(prd.nonFunctionalRequirements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ description: 'Must meet WCAG AA contrast', priority: 'P0' }),
        expect.objectContaining({ description: 'Ship by end of Q3', priority: 'P0' }),
      ]),
    );
    // Priorities follow the requester's own words: should → P1, could → P2.
    expect(prd.functionalRequirements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ description: 'The dashboard should remember the choice per user', priority: 'P1' }),
        expect.objectContaining({ description: 'It could follow the operating system setting', priority: 'P2' }),
      ]),
    );
    for (const section of ['nonGoals', 'assumptions', 'risks'] as const) expect(prd[section].length).toBeGreaterThan(0);
    expect(prd.openQuestions).toEqual([]);
    expect(prd.originalRequest).toContain(COMPLETE_REQUEST.description);
    expect(prd.feedbackAddressed).toEqual([]);
  });

  it('writes the PRD from the answers, keeping the clarification log', async () => {
    const asked = questionsOf(await agent.assess(anAssessment(VAGUE_REQUEST)));
    const answers: Record<string, string> = {
      problem: 'Support leads cannot see the ticket backlog per team without exporting data.',
      who: 'Support team leads during their morning planning.',
      outcome: 'Cut morning planning time from 30 to 10 minutes.',
      criteria: 'The dashboard must show open tickets per team; the numbers refresh every minute.',
      constraints: 'Must work in the existing web app; no new login.',
    };
    const clarificationLog = [
      { question: ask(/^What problem/, asked), answer: answers['problem'] ?? '' },
      { question: ask(/^Who will use/, asked), answer: answers['who'] ?? '' },
      { question: ask(/^What outcome/, asked), answer: answers['outcome'] ?? '' },
      { question: ask(/acceptance criteria/, asked), answer: answers['criteria'] ?? '' },
      { question: ask(/^What constraints/, asked), answer: answers['constraints'] ?? '' },
    ];

    const prd = prdOf(await agent.assess(anAssessment({ ...VAGUE_REQUEST, clarificationLog, clarificationRounds: 1 })));

    expect(prd.problem).toContain('cannot see the ticket backlog');
    expect(prd.userStories[0]?.asA).toMatch(/support team leads/i);
    expect(prd.userStories[0]?.soThat).toMatch(/cut morning planning time/i);
    expect(prd.userStories[0]?.acceptanceCriteria).toEqual(['The dashboard must show open tickets per team', 'The numbers refresh every minute']);
    expect(prd.functionalRequirements).toEqual(
      expect.arrayContaining([expect.objectContaining({ description: 'The dashboard must show open tickets per team', priority: 'P0' })]),
    );
    expect(prd.clarificationLog).toEqual(clarificationLog);
    expect(prd.openQuestions).toEqual([]);
  });

  it('never asks again about an element already answered, even unhelpfully', async () => {
    const asked = questionsOf(await agent.assess(anAssessment(VAGUE_REQUEST)));
    const clarificationLog = [
      { question: ask(/^What problem/, asked), answer: 'Managers cannot find overdue orders on the dashboard.' },
      { question: ask(/^What outcome/, asked), answer: 'idk' },
    ];

    const again = questionsOf(await agent.assess(anAssessment({ ...VAGUE_REQUEST, clarificationLog, clarificationRounds: 1 })));

    // Managers are now named (the audience), the problem and the outcome were answered.
    expect(again).toEqual([expect.stringMatching(/^How will we know/), expect.stringMatching(/^What constraints/)]);
    expect(again.some((q) => asked.includes(q) && /^What (problem|outcome)/.test(q))).toBe(false);
  });

  it('after the last round writes the PRD anyway and lists what is still missing as open questions', async () => {
    const clarificationLog = [{ question: "What problem should 'the dashboard' solve? …", answer: 'Managers cannot find overdue orders.' }];

    const prd = prdOf(await agent.assess(anAssessment({ ...VAGUE_REQUEST, clarificationLog, clarificationRounds: 2 })));

    expect(prd.problem).toContain('cannot find overdue orders');
    expect(prd.openQuestions).toEqual([
      expect.stringMatching(/^What outcome/),
      expect.stringMatching(/^How will we know/),
      expect.stringMatching(/^What constraints/),
    ]);
    expect(prd.userStories[0]?.acceptanceCriteria[0]).toMatch(/^To be agreed/);
    expect(prd.assumptions.join(' ')).toMatch(/no measurable outcome was named/);
  });

  it('makes the next version answer every piece of rejection feedback', async () => {
    const first = prdOf(await agent.assess(anAssessment(COMPLETE_REQUEST)));
    const feedback = [
      { prdVersion: 1, feedback: 'Add a keyboard shortcut to switch themes.' },
      { prdVersion: 2, feedback: 'Following the operating system setting is out of scope.' },
    ];

    const next = prdOf(await agent.assess(anAssessment({ ...COMPLETE_REQUEST, feedback, previousPrd: first })));

    expect(next.feedbackAddressed).toEqual([
      expect.stringMatching(/^v1: "Add a keyboard shortcut to switch themes\." → added as requirement FR-\d+ \(P0\)$/),
      expect.stringMatching(/^v2: "Following the operating system setting is out of scope\." → added to non-goals$/),
    ]);
    const shortcut = next.functionalRequirements.find((r) => r.description.includes('keyboard shortcut'));
    expect(shortcut).toMatchObject({ priority: 'P0' });
    expect(first.functionalRequirements.some((r) => r.description.includes('keyboard shortcut'))).toBe(false);
    expect(next.nonGoals.join(' ')).toContain('operating system setting is out of scope');
  });

  it('writes the next version after a rejection instead of asking again', async () => {
    const assessment = await agent.assess(
      anAssessment({
        ...VAGUE_REQUEST,
        description: 'Managers cannot find overdue orders on the dashboard.',
        feedback: [{ prdVersion: 1, feedback: 'Show the order age.' }],
      }),
    );

    expect(assessment.kind).toBe('prd');
  });

  it('gives up only when nothing usable came even after the last round', async () => {
    const hopeless = anAssessment({ title: 'Fix it', description: 'Fix it please', clarificationLog: [{ question: 'What problem should …', answer: 'idk' }] });

    expect((await agent.assess({ ...hopeless, clarificationRounds: 1 })).kind).toBe('questions');
    const final = await agent.assess({ ...hopeless, clarificationRounds: 2 });
    expect(final).toEqual({ kind: 'give-up', reason: expect.stringContaining('too little content') });
  });

  it('answers the same input the same way', async () => {
    expect(await agent.assess(anAssessment(COMPLETE_REQUEST))).toEqual(await agent.assess(anAssessment(COMPLETE_REQUEST)));
  });
});
