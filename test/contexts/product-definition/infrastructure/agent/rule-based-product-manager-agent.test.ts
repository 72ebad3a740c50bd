import { authoredPrdSchema, type AuthoredPrd, type PrdDocument } from '../../../../../src/contexts/product-definition/contracts';
import { fieldOfQuestion, renderQuestion } from '../../../../../src/contexts/product-definition/domain/clarification';
import { checkGrounding } from '../../../../../src/contexts/product-definition/domain/grounding';
import type { Assessment, AssessmentInput, ClarifyingQuestion } from '../../../../../src/contexts/product-definition/domain/product-manager-agent';
import type { ClarificationEntry, FeedbackEntry } from '../../../../../src/contexts/product-definition/domain/product-request';
import { BLOCKING_FIELDS } from '../../../../../src/contexts/product-definition/infrastructure/agent/questions';
import { RuleBasedProductManagerAgent } from '../../../../../src/contexts/product-definition/infrastructure/agent/rule-based-product-manager-agent';
import { textProblem } from '../../../../../src/shared/kernel/text';

const agent = new RuleBasedProductManagerAgent();

function request(title: string, description: string, overrides: Partial<AssessmentInput> = {}): AssessmentInput {
  return {
    taskId: 'task-1',
    title,
    description,
    priority: 'normal',
    clarificationLog: [],
    feedback: [],
    clarificationRounds: 0,
    maxClarificationRounds: 2,
    ...overrides,
  };
}

function questionsOf(assessment: Assessment): readonly ClarifyingQuestion[] {
  if (assessment.kind !== 'questions') throw new Error(`expected questions, got ${JSON.stringify(assessment)}`);
  return assessment.questions;
}

/** The PRD of an assessment, after checking it is schema-valid and passes the grounding check with zero findings. */
function groundedPrd(assessment: Assessment, input: AssessmentInput): AuthoredPrd {
  if (assessment.kind !== 'prd') throw new Error(`expected a PRD, got ${JSON.stringify(assessment)}`);
  const prd = authoredPrdSchema.parse(assessment.prd);
  const findings = checkGrounding(prd, {
    title: input.title,
    description: input.description,
    clarificationLog: input.clarificationLog,
    feedback: input.feedback,
    ...(input.previousPrd ? { previous: input.previousPrd } : {}),
  });
  expect(findings).toEqual([]);
  return prd;
}

async function prdFor(input: AssessmentInput): Promise<AuthoredPrd> {
  return groundedPrd(await agent.assess(input), input);
}

/** The stored version the service would keep: the authored part plus its own copies. */
function stored(prd: AuthoredPrd, input: AssessmentInput): PrdDocument {
  return {
    ...prd,
    originalRequest: `${input.title}\n\n${input.description}`,
    clarificationLog: [...input.clarificationLog],
    feedback: [...input.feedback],
    generatedBy: { agent: 'rule-based', model: null, promptVersion: 'rule-based/2', tokensIn: 0, tokensOut: 0, calls: 0, callMs: 1 },
  };
}

const answered = (questions: readonly ClarifyingQuestion[], answers: Partial<Record<ClarifyingQuestion['field'], string>>): ClarificationEntry[] =>
  questions.map((q) => ({ question: renderQuestion(q), answer: answers[q.field] ?? 'idk' }));

const requirements = (prd: AuthoredPrd) => [...prd.functionalRequirements, ...prd.nonFunctionalRequirements];

/** A complete request in plain prose: no labels. */
const EXPORTS = request(
  'Faster exports for large accounts',
  [
    'Account managers export usage reports for large accounts, but the export times out after 30 seconds and they end up pasting numbers into spreadsheets.',
    'They need the export to finish within 2 minutes so they can send the report before the monthly review call.',
    'Exports should include archived projects.',
    'It could also email the file when it is ready.',
  ].join(' '),
);

/** A complete request with labels. */
const DARK_MODE = request(
  'Add dark mode for the dashboard',
  [
    'Problem: Operators on the night shift find the bright dashboard tiring and miss alerts in a dark control room.',
    'For: night-shift operators who watch the dashboard for hours.',
    'Outcome: reduce eye-strain complaints by 50%.',
    'Acceptance criteria: a toggle in settings switches between light and dark; the choice persists across sessions; every chart stays readable in dark mode.',
    'Constraints: must meet WCAG AA contrast.',
    'Out of scope: a redesign of the light theme.',
  ].join('\n'),
);

/** A complete prose request from a clinic, without any measurable target. */
const SHIFT_SWAPS = request(
  'Shift swap requests',
  [
    'Nurses often cannot swap shifts without calling the ward manager, which delays rosters.',
    'We want nurses to request a swap in the app so that the manager only has to approve it.',
    'The manager must approve or reject a swap within the app.',
    'Nurses should see the status of their request.',
    'It would be nice to have reminders for pending swaps.',
  ].join(' '),
);

/** The fields of the questions that block a PRD; constraints and scope may fill a round's spare room. */
const blocking = (questions: readonly ClarifyingQuestion[]): string[] =>
  questions.map((q) => q.field).filter((field) => (BLOCKING_FIELDS as readonly string[]).includes(field));

describe('RuleBasedProductManagerAgent: clarifying questions', () => {
  it('asks a vague request what is missing, quoting its words sensibly', async () => {
    const questions = questionsOf(await agent.assess(request('Make it faster', 'Make it faster')));

    expect(blocking(questions)).toEqual(['problem', 'audience', 'outcome']);
    for (const q of questions) {
      expect(q.question).toMatch(/faster/i);
      expect(q.question).not.toMatch(/'it faster'/);
      expect(q.why.length).toBeGreaterThan(20);
    }
    expect(questions[0]?.question).toMatch(/^You wrote "Make it faster"\. What is too slow today/);
    expect(questions[2]?.question).toMatch(/Faster than what, measured how/);
  });

  it('asks a partly clear prose request only about what it leaves out, naming what it said', async () => {
    const questions = questionsOf(
      await agent.assess(request('Export invoices as CSV', 'Accountants currently copy invoices by hand into spreadsheets, which is slow.')),
    );

    expect(blocking(questions)).toEqual(['outcome', 'acceptanceCriteria']);
    expect(questions[0]?.question).toMatch(/^You say "Accountants currently copy invoices by hand into spreadsheets, which is slow"\./);
    expect(questions[0]?.question).toMatch(/for accountants/);
    expect(questions[1]?.question).toMatch(/^You ask for "Export invoices as CSV"\./);
  });

  it('asks who runs into a stated problem, quoting it', async () => {
    const questions = questionsOf(await agent.assess(request('Fix report exports', 'Exports time out for large accounts, so the report never arrives.')));

    const audience = questions.find((q) => q.field === 'audience');
    expect(audience?.question).toMatch(/^You say "Exports time out for large accounts, so the report never arrives"\. Who runs into this/);
    expect(audience?.why).toBe('The user stories and acceptance criteria depend on who does it.');
    // The problem is stated; "so the report never arrives" is a consequence, not an outcome.
    expect(blocking(questions)).toEqual(['audience', 'outcome', 'acceptanceCriteria']);
  });

  it('renders questions so that their field is recovered from the log', async () => {
    const questions = questionsOf(await agent.assess(request('Make it faster', 'Make it faster')));
    expect(questions.map((q) => fieldOfQuestion(renderQuestion(q)))).toEqual(questions.map((q) => q.field));
  });

  it('asks at most three questions a round, and the rest in the next round', async () => {
    const first = request('Dashboard', 'The dashboard.');
    const round1 = questionsOf(await agent.assess(first));
    expect(round1).toHaveLength(3);

    const log = answered(round1, {
      problem: 'Warehouse leads cannot see late shipments until customers call.',
      audience: 'Warehouse shift leads',
      outcome: 'Late shipments are spotted before the customer notices.',
    });
    const round2 = questionsOf(await agent.assess({ ...first, clarificationLog: log, clarificationRounds: 1 }));
    expect(blocking(round2)).toEqual(['acceptanceCriteria']);
  });

  it('follows up once on a vague one-word answer instead of turning it into a requirement', async () => {
    const first = request('Make it faster', 'Make it faster');
    const round1 = questionsOf(await agent.assess(first));
    const log = answered(round1, { problem: 'The invoice search page takes 20 seconds to show results.', audience: 'Billing clerks', outcome: 'faster' });

    const round2 = questionsOf(await agent.assess({ ...first, clarificationLog: log, clarificationRounds: 1 }));

    const followUp = round2.find((q) => q.field === 'outcome');
    expect(followUp?.question).toMatch(/^You answered "faster" about the outcome\./);
    expect(followUp?.why).toMatch(/too short/);
    expect(round2.some((q) => q.field === 'problem' || q.field === 'audience')).toBe(false);

    // At the round limit the vague answer is an open question, never a requirement.
    const atLimit = { ...first, clarificationLog: log, clarificationRounds: 2 };
    const prd = await prdFor(atLimit);
    expect(requirements(prd).some((r) => /^faster$/i.test(r.description) || r.sources.some((s) => s.kind === 'answer' && s.index === 3))).toBe(false);
    expect(prd.openQuestions.map((q) => q.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^You answered "faster" about the outcome/)]));
  });

  it('treats "it is fast" and "yes" as vague too, and never asks a third time', async () => {
    const first = request('Make it faster', 'Make it faster');
    const round1 = questionsOf(await agent.assess(first));
    const log1 = answered(round1, { problem: 'it is bad', audience: 'yes', outcome: 'it is fast' });
    const round2 = questionsOf(await agent.assess({ ...first, clarificationLog: log1, clarificationRounds: 1 }));
    expect(blocking(round2)).toEqual(['problem', 'audience', 'outcome']);
    expect(round2.every((q) => q.question.startsWith('You answered'))).toBe(true);

    const log2 = [...log1, ...answered(round2, { problem: 'it is bad', audience: 'yes', outcome: 'it is fast' })];
    // The three fields are not asked a third time; only the one never asked remains.
    const round3 = questionsOf(await agent.assess({ ...first, clarificationLog: log2, clarificationRounds: 2, maxClarificationRounds: 5 }));
    expect(blocking(round3)).toEqual(['acceptanceCriteria']);
    // At the limit, with nothing usable in the request or the answers, it gives up.
    expect((await agent.assess({ ...first, clarificationLog: log2, clarificationRounds: 2 })).kind).toBe('give-up');
  });

  it('does not ask again when the requester says they do not know, and uses the round for what is still missing', async () => {
    const first = request('Make it faster', 'Make it faster');
    const round1 = questionsOf(await agent.assess(first));
    expect(blocking(round1)).toEqual(['problem', 'audience', 'outcome']);
    const log1 = answered(round1, { problem: "I don't know, it just feels slow", audience: 'Not sure, whatever you think', outcome: 'it is fast' });

    const round2 = questionsOf(await agent.assess({ ...first, clarificationLog: log1, clarificationRounds: 1 }));

    expect(blocking(round2)).toEqual(['outcome', 'acceptanceCriteria']);
  });

  it('uses spare room in a round for constraints and scope, never more than three questions, never twice', async () => {
    const first = request('Shift swaps', 'Nurses swap shifts by phone today and the ward manager often never hears about it.');
    const round1 = questionsOf(await agent.assess(first));
    expect(round1.length).toBeLessThanOrEqual(3);
    // Two blocking gaps leave room for one extra: the scope, which comes before the constraints.
    expect(round1.map((q) => q.field)).toEqual(['outcome', 'acceptanceCriteria', 'scope']);
    expect(round1[2]?.question).toContain('"');

    const log = answered(round1, { scope: 'Only swaps within one ward for now.' });
    // The other answers were "idk": nothing blocking is left, so the PRD comes with the scope answer in it.
    const round2 = await agent.assess({ ...first, clarificationLog: log, clarificationRounds: 1 });
    expect(round2.kind).toBe('prd');
    const fromScope = requirements(groundedPrd(round2, { ...first, clarificationLog: log, clarificationRounds: 1 })).filter((r) =>
      r.sources.some((src) => src.kind === 'answer' && /within one ward/.test(src.quote)),
    );
    expect(fromScope).toHaveLength(1);

    // A constraints answer (asked in a round with more room) is a requirement with its own priority.
    const constraintsQuestion: ClarifyingQuestion = {
      field: 'constraints',
      question: 'Does anything limit how it may be built?',
      why: 'Limits found late mean rework.',
    };
    const withConstraints = [
      ...log,
      ...answered([constraintsQuestion], { constraints: 'It has to work on the ward tablets, and swaps must respect minimum staffing.' }),
    ];
    const prd = await prdFor({ ...first, clarificationLog: withConstraints, clarificationRounds: 2 });
    const fromConstraints = requirements(prd).filter((r) => r.sources.some((src) => src.kind === 'answer' && /ward tablets/.test(src.quote)));
    expect(fromConstraints.map((r) => r.priority)).toEqual(['P0']);

    // A complete request is not asked about constraints or scope: they never block.
    const complete = request(
      'Bulk refunds',
      'Support agents refund each order one at a time when a shipment is lost, which takes an hour per incident. Agents must be able to select all orders of a lost shipment and refund them in one step. Each refund must be logged with the agent who made it. The goal is to cut refund time from an hour to 5 minutes per incident.',
    );
    expect((await agent.assess(complete)).kind).toBe('prd');
  });

  it('never asks again about an answered field', async () => {
    const first = request('Bulk refunds', 'Bulk refunds for the support desk.');
    const round1 = questionsOf(await agent.assess(first));
    const log = answered(round1, { problem: 'Support agents refund each order one at a time when a shipment is lost, which takes an hour per incident.' });

    const round2 = questionsOf(await agent.assess({ ...first, clarificationLog: log, clarificationRounds: 1 }));

    const askedBefore = new Set(round1.filter((q) => q.field !== 'problem' && q.field !== 'audience').map((q) => q.field));
    expect(round2.some((q) => q.field === 'problem')).toBe(false);
    // The problem answer named the audience (support agents), so that is not asked either.
    expect(round2.some((q) => q.field === 'audience')).toBe(false);
    for (const q of round2) expect(askedBefore.has(q.field) || ['acceptanceCriteria', 'constraints', 'scope'].includes(q.field)).toBe(true);
  });

  it('writes the PRD with the gaps as open questions at the round limit', async () => {
    const input = request('Bulk refunds', 'Support agents refund each order one at a time when a shipment is lost.', { clarificationRounds: 2 });

    const prd = await prdFor(input);

    expect(prd.openQuestions.map((q) => q.text)).toEqual(
      expect.arrayContaining([expect.stringMatching(/What should be different once this ships/), expect.stringMatching(/^What measurable target should/)]),
    );
  });

  it('does not ask after feedback, even without a previous version', async () => {
    const input = request('Make the dashboard better', 'Managers cannot find overdue orders on the dashboard.', {
      feedback: [{ prdVersion: 1, feedback: 'Show the order age.' }],
    });
    expect((await agent.assess(input)).kind).toBe('prd');
    await prdFor(input);
  });

  it('gives up only when nothing usable came and it may ask no more', async () => {
    const hopeless = request('Fix it', 'Fix it please');
    expect((await agent.assess(hopeless)).kind).toBe('questions');
    expect(await agent.assess({ ...hopeless, clarificationRounds: 2 })).toMatchObject({
      kind: 'give-up',
      reason: expect.stringContaining('too little content'),
    });
  });
});

describe('RuleBasedProductManagerAgent: the first PRD', () => {
  it('writes one user story for each role the audience names, each citing the words that name it', async () => {
    const prd = await prdFor(
      request(
        'Route changes on the road',
        'Dispatchers re-plan routes by phone when a road closes, which takes 20 minutes per driver. For: dispatchers, and the delivery drivers they send out. Drivers must see a changed route on their phone within a minute. Dispatchers should be able to move one stop to another driver. The goal is to cut re-planning from 20 minutes to 2 minutes per driver.',
      ),
    );

    expect(prd.userStories.map((s) => s.asA)).toEqual(['dispatchers', 'delivery drivers']);
    expect(prd.userStories[1]?.sources).toContainEqual({ kind: 'request', quote: 'delivery drivers' });
  });

  it('writes a complete prose request at once, with its own capability as "I want"', async () => {
    const prd = await prdFor(EXPORTS);

    expect(prd.problem).toMatch(/^Account managers export usage reports for large accounts, but the export times out after 30 seconds/);
    const story = prd.userStories[0];
    expect(story).toMatchObject({
      asA: 'account managers',
      iWant: 'the export to finish within 2 minutes',
      soThat: 'they can send the report before the monthly review call',
    });
    expect(story?.iWant.toLowerCase()).not.toBe(EXPORTS.title.toLowerCase());
    expect(prd.openQuestions.map((q) => q.text)).toEqual([]);
  });

  it('shortens a long statement between characters, never inside an emoji (a lone surrogate could not be stored)', async () => {
    // Either parity of the padding puts the cut on one of the emoji's two UTF-16 units.
    for (const pad of ['', 'x']) {
      const long = `every chart stays readable in dark mode ${pad}${'\u{1F319}'.repeat(600)}.`;
      const prd = await prdFor(request(DARK_MODE.title, DARK_MODE.description.replace('every chart stays readable in dark mode.', long)));
      const texts = JSON.stringify(prd).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
      expect(texts.filter((text) => textProblem(JSON.parse(text) as string) !== undefined)).toEqual([]);
      expect(JSON.stringify(prd)).toContain('\u{1F319}…');
    }
  });

  it('takes priorities from must/need, should and could', async () => {
    const prd = await prdFor(EXPORTS);

    expect(requirements(prd).map((r) => [r.description, r.priority])).toEqual(
      expect.arrayContaining([
        ['They need the export to finish within 2 minutes so they can send the report before the monthly review call', 'P0'],
        ['Exports should include archived projects', 'P1'],
        ['It could also email the file when it is ready', 'P2'],
      ]),
    );
    expect(prd.nonFunctionalRequirements.map((r) => r.description)).toEqual([expect.stringMatching(/within 2 minutes/)]);
  });

  it('keeps an unmarked requirement at P1, not P0', async () => {
    const prd = await prdFor(DARK_MODE);
    expect(prd.functionalRequirements.map((r) => [r.description, r.priority])).toEqual([
      ['A toggle in settings switches between light and dark', 'P1'],
      ['The choice persists across sessions', 'P1'],
      ['Every chart stays readable in dark mode', 'P1'],
    ]);
    expect(prd.nonFunctionalRequirements).toEqual([expect.objectContaining({ id: 'NFR-1', description: 'Must meet WCAG AA contrast', priority: 'P0' })]);
  });

  it('turns the measurable target the requester gave into a success metric carrying its number', async () => {
    const exportsPrd = await prdFor(EXPORTS);
    expect(exportsPrd.successMetrics).toEqual([
      {
        text: 'They need the export to finish within 2 minutes so they can send the report before the monthly review call',
        sources: [{ kind: 'request', quote: expect.stringContaining('within 2 minutes') }],
      },
    ]);
    // The 30 seconds of today's time-out is the problem, not a target.
    expect(exportsPrd.successMetrics.some((m) => m.text.includes('30'))).toBe(false);

    const darkPrd = await prdFor(DARK_MODE);
    expect(darkPrd.successMetrics.map((m) => m.text)).toEqual(['Reduce eye-strain complaints by 50%']);
  });

  it('leaves success metrics empty without a target, and asks for one', async () => {
    const prd = await prdFor(SHIFT_SWAPS);

    expect(prd.successMetrics).toEqual([]);
    expect(prd.openQuestions).toEqual([
      {
        text: expect.stringMatching(/^What measurable target should "request a swap in the app" meet/),
        sources: [expect.objectContaining({ kind: 'request' })],
      },
    ]);
  });

  it('writes no filler: risks, non-goals and assumptions only from what the request says', async () => {
    const swaps = await prdFor(SHIFT_SWAPS);
    expect(swaps.risks).toEqual([]);
    expect(swaps.nonGoals).toEqual([]);
    expect(swaps.assumptions).toEqual([]);

    const withThem = await prdFor(
      request(
        'Shift swap requests',
        `${SHIFT_SWAPS.description} Payroll integration is out of scope. A risk is that swaps break minimum staffing rules on small wards.`,
      ),
    );
    expect(withThem.nonGoals.map((g) => g.text)).toEqual(['Payroll integration is out of scope']);
    expect(withThem.risks.map((r) => r.text)).toEqual(['A risk is that swaps break minimum staffing rules on small wards']);
    expect(requirements(withThem).some((r) => /payroll|staffing/i.test(r.description))).toBe(false);
  });

  it('reads a labelled request into its sections', async () => {
    const prd = await prdFor(DARK_MODE);

    expect(prd.problem).toMatch(/night shift find the bright dashboard tiring/);
    expect(prd.userStories[0]).toMatchObject({ asA: 'night-shift operators who watch the dashboard for hours', iWant: 'to have dark mode for the dashboard' });
    expect(prd.userStories[0]?.acceptanceCriteria.map((c) => c.text)).toEqual([
      'A toggle in settings switches between light and dark',
      'The choice persists across sessions',
      'Every chart stays readable in dark mode',
    ]);
    expect(prd.nonGoals.map((g) => g.text)).toEqual(['A redesign of the light theme']);
    expect(prd.openQuestions).toEqual([]);
  });

  it('states an assumption, sourced as one, only where it assumed something', async () => {
    const input = request('Make it faster', 'Make it faster', {
      clarificationLog: [
        {
          question: renderQuestion({ field: 'problem', question: 'What is too slow?', why: 'w' }),
          answer: 'The invoice search page takes 20 seconds to show results.',
        },
      ],
      clarificationRounds: 2,
    });

    const prd = await prdFor(input);

    expect(prd.userStories[0]?.asA).toBe('user');
    expect(prd.assumptions.length).toBeGreaterThan(0);
    for (const assumption of prd.assumptions) expect(assumption.sources).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'assumption' })]));
    expect(prd.problem).toBe('The invoice search page takes 20 seconds to show results.');
  });

  it('writes requests of other domains from their answers, every statement grounded', async () => {
    const first = request('Parcel tracking', 'Parcel tracking page');
    const log = answered(questionsOf(await agent.assess(first)), {
      problem: 'Customers call the depot to ask where their parcel is, about 400 calls a day.',
      audience: 'Customers waiting for a delivery',
      outcome: 'Halve the number of where-is-my-parcel calls within three months.',
    });
    const round2 = questionsOf(await agent.assess({ ...first, clarificationLog: log, clarificationRounds: 1 }));
    expect(blocking(round2)).toEqual(['acceptanceCriteria']);
    const log2 = [
      ...log,
      ...answered(round2, {
        acceptanceCriteria: 'The page must show the last scan and the expected delivery window. Drivers should be able to mark a parcel as delayed.',
      }),
    ];

    const prd = await prdFor({ ...first, clarificationLog: log2, clarificationRounds: 2 });

    expect(prd.problem).toContain('about 400 calls a day');
    expect(prd.userStories[0]?.asA).toBe('customers waiting for a delivery');
    expect(prd.goals.map((g) => g.text)).toEqual(['Halve the number of where-is-my-parcel calls within three months']);
    expect(requirements(prd).map((r) => [r.description, r.priority])).toEqual([
      ['The page must show the last scan and the expected delivery window', 'P0'],
      ['Drivers should be able to mark a parcel as delayed', 'P1'],
    ]);
    expect(requirements(prd).every((r) => r.sources.every((s) => s.kind === 'answer' && s.index === 4))).toBe(true);
  });

  it('answers the same input the same way, with its usage', async () => {
    const a = await agent.assess(EXPORTS);
    const b = await agent.assess(EXPORTS);
    expect(a.kind).toBe('prd');
    expect(a.kind === 'prd' && b.kind === 'prd' && a.prd).toEqual(b.kind === 'prd' && b.prd);
    expect(a.usage).toEqual({
      agent: 'rule-based',
      model: null,
      promptVersion: 'rule-based/2',
      tokensIn: 0,
      tokensOut: 0,
      calls: 0,
      callMs: expect.any(Number),
    });
  });

  it('returns its draft again on a repair', async () => {
    const first = await agent.assess(SHIFT_SWAPS);
    if (first.kind !== 'prd') throw new Error('expected a PRD');
    const again = await agent.assess({ ...SHIFT_SWAPS, repair: { draft: first.prd, findings: [] } });
    expect(again.kind === 'prd' && again.prd).toEqual(first.prd);
  });
});

describe('RuleBasedProductManagerAgent: reading prose', () => {
  it('reads what happens today as the problem, never as a requirement or a target', async () => {
    const input = request(
      'Let customers cancel subscriptions online',
      'Today customers must email support to cancel their subscription, and support agents spend about 5 hours a week on it. Customers should be able to cancel from the billing page. Cancellation must take effect at the end of the billing period.',
      { clarificationRounds: 2 },
    );
    const prd = await prdFor(input);
    expect(prd.problem).toMatch(/^Today customers must email support/);
    expect(prd.userStories[0]?.asA).toBe('customers');
    expect(requirements(prd).map((r) => [r.description, r.priority])).toEqual([
      ['Customers should be able to cancel from the billing page', 'P1'],
      ['Cancellation must take effect at the end of the billing period', 'P0'],
    ]);
    expect(prd.successMetrics).toEqual([]);
  });

  it('takes a target from a comparison, not from a quantity', async () => {
    const prd = await prdFor(
      request(
        'Bulk edit product prices',
        'Merchants with large catalogues spend hours changing prices one product at a time. They want to select many products and change prices by a percentage. Users may export up to 100 rows. The goal is to cut price update time from 2 hours to 10 minutes.',
      ),
    );
    expect(prd.successMetrics.map((m) => m.text)).toEqual(['The goal is to cut price update time from 2 hours to 10 minutes']);
    expect(prd.userStories[0]).toMatchObject({ asA: 'merchants', iWant: 'to select many products and change prices by a percentage' });
    // "Up to 100 rows" is a cap, not a target; what they want is a requirement as well as the story.
    expect(prd.functionalRequirements.map((r) => [r.description, r.priority])).toEqual([
      ['They want to select many products and change prices by a percentage', 'P1'],
      ['Users may export up to 100 rows', 'P2'],
    ]);
  });

  it('keeps a requirement that lists more than a reviewer dropped, and says what went', async () => {
    const input = request(
      'SLA breach alerts',
      'Support team leads miss SLA breaches because nobody is notified. Send an alert to the team lead 30 minutes before a ticket breaches its SLA, so that they can reassign it. Alerts must go to Slack and email.',
    );
    const v1 = await prdFor(input);
    expect(v1.userStories[0]?.asA).toBe('support team leads');
    const next = {
      ...input,
      feedback: [{ prdVersion: 1, feedback: 'what happens for teams with no SLA configured? Email alerts are out of scope.' }],
      previousPrd: stored(v1, input),
    };
    const prd = await prdFor(next);
    expect(requirements(prd)).toEqual(requirements(v1));
    expect(prd.openQuestions.map((q) => q.text)).toContain('What happens for teams with no SLA configured?');
    expect(prd.nonGoals.map((g) => g.text)).toEqual(['Email alerts are out of scope']);
  });

  it('grounds a requirement with a decimal number', async () => {
    await prdFor(
      request(
        'Add SSO',
        'As an IT admin, I want to sign in with our Okta account so that I do not manage separate passwords. Must support SAML 2.0. Admins must be able to enforce single sign-on for every workspace member.',
      ),
    );
  });
});

describe('RuleBasedProductManagerAgent: nothing the requester wrote is dropped', () => {
  it("reads MoSCoW labels: every item of a Must list at P0, Should at P1, Could at P2, Won't as a non-goal", async () => {
    const prd = await prdFor(
      request(
        'Bulk user import',
        [
          'Problem: workspace admins add users one at a time, which takes up to two days per customer.',
          'Users: workspace admins.',
          'Outcome: a new customer is onboarded in under 15 minutes.',
          'Must: upload a CSV with email and role; validate every row before anything is created; invite each imported user.',
          'Should: let admins download a template CSV.',
          'Could: map columns from other HR exports.',
          "Won't (this release): syncing with HR systems.",
        ].join('\n'),
      ),
    );
    expect(requirements(prd).map((r) => [r.description, r.priority])).toEqual([
      ['Upload a CSV with email and role', 'P0'],
      ['Validate every row before anything is created', 'P0'],
      ['Invite each imported user', 'P0'],
      ['Let admins download a template CSV', 'P1'],
      ['Map columns from other HR exports', 'P2'],
    ]);
    expect(prd.nonGoals.map((g) => g.text)).toEqual(['Syncing with HR systems']);
    expect(prd.risks).toEqual([]);
  });

  it('places every sentence of a prose request: what it describes as requirements, estimates in the problem, exclusions as non-goals', async () => {
    const input = request(
      'Digital payslips',
      [
        'Employees should download their payslips as PDF from the HR portal instead of receiving them by post.',
        'Payroll sends around 4,000 letters a month.',
        'Last quarter 22% of payslips arrived late.',
        'Employees get an email when a new payslip is published.',
        "Mobile isn't required.",
        'Success: paper payslips stop for 95% of employees within two payroll cycles. Other countries are out of scope.',
      ].join(' '),
    );
    const prd = await prdFor(input);
    expect(prd.problem).toContain('Payroll sends around 4,000 letters a month.');
    expect(prd.problem).toContain('Last quarter 22% of payslips arrived late.');
    expect(requirements(prd).map((r) => r.description)).toEqual([
      'Employees should download their payslips as PDF from the HR portal instead of receiving them by post',
      'Employees get an email when a new payslip is published',
    ]);
    expect(prd.nonGoals.map((g) => g.text)).toEqual(["Mobile isn't required", 'Other countries are out of scope']);
    // The baseline is not a target; the stated success is.
    expect(prd.successMetrics.map((m) => m.text)).toEqual(['Paper payslips stop for 95% of employees within two payroll cycles']);
  });

  it('reads "Done when" as acceptance criteria even on a line another label started', async () => {
    const prd = await prdFor(
      request(
        'Usage on the billing page',
        "Problem: account owners cannot see their API usage until the invoice arrives. Users: account owners. Goal: usage questions to support drop by 50%. Out of scope: the Enterprise plan. Done when a test account's usage on the billing page matches its invoice.",
      ),
    );
    expect(prd.userStories[0]?.acceptanceCriteria.map((c) => c.text)).toEqual(["Done when a test account's usage on the billing page matches its invoice"]);
    expect(prd.nonGoals.map((g) => g.text)).toEqual(['The Enterprise plan']);
  });
});

describe('RuleBasedProductManagerAgent: what a question is worth', () => {
  it('asks what exactly goes wrong when the problem only says that something is wrong', async () => {
    for (const description of ['The app is too slow.', 'Search is broken, please fix.', 'Customers keep complaining about it.']) {
      const problem = questionsOf(await agent.assess(request('Improve it', description))).find((q) => q.field === 'problem');
      expect(problem?.question).toContain('What exactly goes wrong');
    }
    // A problem that says what goes wrong is not asked about again.
    const clear = questionsOf(await agent.assess(request('Appointment reminders', 'Patients keep missing their appointments. We should send them reminders.')));
    expect(clear.map((q) => q.field)).not.toContain('problem');
  });

  it('does not hold a PRD back for an outcome alone once the problem and what to check are known', async () => {
    const input = request(
      'Biometric sign-in',
      'Let users of the insurance app sign in with Face ID. Today 18% of our support calls are password resets. Done when a user who opted in signs in with Face ID and falls back to the password after 3 failed attempts.',
    );
    const assessment = await agent.assess(input);
    expect(assessment.kind).toBe('prd');
    const prd = groundedPrd(assessment, input);
    expect(prd.userStories[0]?.asA).toBe('users of the insurance app');
    expect(prd.assumptions.map((a) => a.text)).toContain('The intended outcome is that the stated problem goes away; no other outcome was named');
    expect(prd.openQuestions.some((q) => /measurable target/.test(q.text))).toBe(true);
  });

  it('reads "users" or "everybody" as the people of the product the request names, not as a missing audience', async () => {
    const input = request(
      'Dark mode',
      'Add dark mode to our iOS and Android banking app. Users can override it in Settings. It is the most requested feature in app store reviews. Done when every screen passes our contrast checker in both themes.',
    );
    const assessment = await agent.assess(input);
    expect(assessment.kind).toBe('prd');
    const story = groundedPrd(assessment, input).userStories[0];
    expect(story?.asA).toBe('users of our banking app');
    // A feature people asked for is met by shipping it, not made to stop.
    expect(story?.soThat).toMatch(/^the request is met: it is the most requested feature/);

    // Without a product of its own, "everybody" still names nobody.
    const nobody = questionsOf(await agent.assess(request('Flaky tests', 'Tests keep failing randomly and everybody hits rerun until green.')));
    expect(nobody.map((q) => q.field)).toContain('audience');
    const ours = questionsOf(await agent.assess(request('CI is flaky', 'Our CI pipeline keeps failing randomly and everybody hits rerun until green.')));
    expect(ours.map((q) => q.field)).not.toContain('audience');
    expect(ours.find((q) => q.field === 'outcome')?.question).toContain('for people who use our CI pipeline');
  });

  it('takes a request somebody made, with its reason, as the problem, and keeps "our" before one customer', async () => {
    const questions = questionsOf(
      await agent.assess(request('Audit log', 'Our biggest customer asked for an audit log before their security review next month. Can we add one?')),
    );
    expect(questions.map((q) => q.field)).not.toContain('problem');
    expect(questions.find((q) => q.field === 'outcome')?.question).toContain('for our biggest customer:');
  });
});

describe('RuleBasedProductManagerAgent: revisions', () => {
  async function revise(
    input: AssessmentInput,
    previous: AuthoredPrd,
    previousInput: AssessmentInput,
    feedback: string[],
  ): Promise<{ prd: AuthoredPrd; input: AssessmentInput }> {
    const allFeedback: FeedbackEntry[] = [
      ...previousInput.feedback,
      ...feedback.map((text) => ({ prdVersion: previousInput.feedback.length + 1, feedback: text })),
    ];
    const next = { ...input, feedback: allFeedback, previousPrd: stored(previous, previousInput) };
    return { prd: await prdFor(next), input: next };
  }

  it('turns a reviewer question into an open question, not a requirement', async () => {
    const v1 = await prdFor(SHIFT_SWAPS);
    const { prd } = await revise(SHIFT_SWAPS, v1, SHIFT_SWAPS, ['What happens for wards with no manager assigned?']);

    expect(prd.openQuestions.at(-1)).toEqual({
      text: 'What happens for wards with no manager assigned?',
      sources: [{ kind: 'feedback', index: 1, quote: 'What happens for wards with no manager assigned?' }],
    });
    expect(requirements(prd)).toEqual(requirements(v1));
    expect(prd.changeLog).toEqual([
      { feedback: 1, summary: expect.stringContaining('open question'), added: [], changed: [], removed: [], sections: ['openQuestions'] },
    ]);
  });

  it('adds a requirement for a requested change, prioritised by its wording, and logs it', async () => {
    const v1 = await prdFor(SHIFT_SWAPS);
    const { prd } = await revise(SHIFT_SWAPS, v1, SHIFT_SWAPS, ['Managers should also be able to swap shifts on behalf of a nurse.']);

    const added = prd.functionalRequirements.find((r) => r.description === 'Managers should also be able to swap shifts on behalf of a nurse');
    const id = `FR-${v1.functionalRequirements.length + 1}`;
    expect(added).toMatchObject({ id, priority: 'P1', sources: [{ kind: 'feedback', index: 1, quote: expect.any(String) }] });
    expect(prd.changeLog).toEqual([expect.objectContaining({ feedback: 1, added: [id], changed: [], removed: [] })]);
    // Unchanged requirements keep their ids.
    for (const r of v1.functionalRequirements) expect(prd.functionalRequirements).toContainEqual(r);
  });

  it('rewrites the requirement a change is about, keeping its id', async () => {
    const v1 = await prdFor(EXPORTS);
    const archived = v1.functionalRequirements.find((r) => r.description.startsWith('Exports should include archived projects'));
    const { prd } = await revise(EXPORTS, v1, EXPORTS, ['Exports must include archived projects and deleted projects.']);

    expect(prd.functionalRequirements.find((r) => r.id === archived?.id)).toMatchObject({
      description: 'Exports must include archived projects and deleted projects',
      priority: 'P0',
    });
    expect(prd.changeLog).toEqual([expect.objectContaining({ feedback: 1, changed: [archived?.id], added: [], removed: [] })]);
  });

  it('removes what a reviewer drops and records it as a non-goal', async () => {
    const v1 = await prdFor(SHIFT_SWAPS);
    const reminders = v1.functionalRequirements.find((r) => /reminders/.test(r.description));
    const { prd } = await revise(SHIFT_SWAPS, v1, SHIFT_SWAPS, ['Drop the reminders, they are out of scope for now.']);

    expect(prd.functionalRequirements.map((r) => r.id)).not.toContain(reminders?.id);
    expect(prd.nonGoals.map((g) => g.text)).toEqual([`Removed on review: ${reminders?.description ?? ''}`]);
    expect(prd.changeLog).toEqual([expect.objectContaining({ feedback: 1, removed: [reminders?.id], sections: expect.arrayContaining(['nonGoals']) })]);
  });

  it('applies only the new feedback of a third version, one change-log entry per item, ids stable', async () => {
    const v1 = await prdFor(EXPORTS);
    const v2 = await revise(EXPORTS, v1, EXPORTS, ['Add a CSV option next to the Excel file.', 'How are exports of more than 500 projects split?']);
    expect(v2.prd.changeLog.map((c) => c.feedback)).toEqual([1, 2]);

    const v3 = await revise(EXPORTS, v2.prd, v2.input, ['The export should also be available from the account page.']);

    expect(v3.prd.changeLog.map((c) => c.feedback)).toEqual([3]);
    for (const r of requirements(v2.prd)) expect(requirements(v3.prd)).toContainEqual(r);
    expect(v3.prd.openQuestions).toEqual(v2.prd.openQuestions);
    const ids = requirements(v3.prd).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps feedback it cannot read a change from as an open question, never dropping it', async () => {
    const v1 = await prdFor(DARK_MODE);
    const { prd } = await revise(DARK_MODE, v1, DARK_MODE, ['Looks good overall.']);
    expect(prd.changeLog).toEqual([expect.objectContaining({ feedback: 1, sections: ['openQuestions'] })]);
    expect(prd.openQuestions.at(-1)?.text).toMatch(/^How should this review feedback change the PRD: "Looks good overall"\?$/);
  });

  it('adds a success metric a reviewer gives, and drops the question for one', async () => {
    const v1 = await prdFor(SHIFT_SWAPS);
    const { prd } = await revise(SHIFT_SWAPS, v1, SHIFT_SWAPS, ['Success metric: 80% of swaps are approved within 24 hours.']);
    expect(prd.successMetrics).toEqual([
      { text: 'Success metric: 80% of swaps are approved within 24 hours', sources: [expect.objectContaining({ kind: 'feedback', index: 1 })] },
    ]);
    expect(prd.openQuestions.some((q) => q.text.startsWith('What measurable target'))).toBe(false);
    expect(prd.changeLog).toEqual([expect.objectContaining({ sections: expect.arrayContaining(['successMetrics', 'openQuestions']) })]);
  });

  it('rewrites a version written before sources existed, logging what changed without feedback', async () => {
    const v1 = await prdFor(SHIFT_SWAPS);
    const legacy: AuthoredPrd = {
      ...v1,
      goals: [{ text: 'Deliver shift swap requests', sources: [] }],
      functionalRequirements: [{ id: 'FR-1', description: 'Provide shift swap requests for users', priority: 'P0', sources: [] }],
    };
    const { prd } = await revise(SHIFT_SWAPS, legacy, SHIFT_SWAPS, ['Nurses must be able to cancel a swap request.']);

    expect(prd.changeLog.map((c) => c.feedback)).toEqual([1, null]);
    expect(prd.changeLog[1]).toMatchObject({ summary: expect.stringContaining('without sources'), sections: expect.arrayContaining(['goals']) });
  });
});
