import type { AuthoredPrd } from '../../../../src/contexts/product-definition/contracts';
import { checkGrounding, type GroundingContext, numbersIn } from '../../../../src/contexts/product-definition/domain/grounding';
import { anAuthoredPrd, aPrdDocument, DARK_MODE_REQUEST } from '../../../support/prd-document';

const context: GroundingContext = {
  ...DARK_MODE_REQUEST,
  clarificationLog: [
    { question: 'About the outcome: What should change? Why it matters: metrics.', answer: 'Complaints about glare should drop below 5 a month.' },
  ],
  feedback: [],
};
const codes = (prd: AuthoredPrd, ctx: GroundingContext = context) => checkGrounding(prd, ctx).map((f) => `${f.path} ${f.code}`);

describe('the grounding check', () => {
  it('passes a draft whose every statement quotes its source', () => {
    expect(checkGrounding(anAuthoredPrd(), context)).toEqual([]);
  });

  it('refuses an item that names no source', () => {
    expect(codes(anAuthoredPrd({ goals: [{ text: 'Operators like the new look', sources: [] }] }))).toEqual(['goals[0] no-source']);
  });

  it('refuses a number that none of the item’s sources contains, even when another part of the request has it', () => {
    const prd = anAuthoredPrd({
      successMetrics: [
        { text: 'Fewer than 5 glare complaints a month', sources: [{ kind: 'answer', index: 1, quote: 'drop below 5 a month' }] },
        { text: 'Glare complaints drop by 50%', sources: [{ kind: 'answer', index: 1, quote: 'Complaints about glare should drop' }] },
        { text: 'Below 5 complaints', sources: [{ kind: 'request', quote: 'too bright at night' }] },
      ],
    });

    expect(checkGrounding(prd, context)).toEqual([
      { path: 'successMetrics[1]', code: 'unsupported-number', message: 'states 50, which none of its sources contains' },
      { path: 'successMetrics[2]', code: 'unsupported-number', message: 'states 5, which none of its sources contains' },
    ]);
  });

  it('refuses a number backed only by an assumption, and a number in the problem that nobody stated', () => {
    const prd = anAuthoredPrd({
      problem: 'About 300 operators work nights.',
      assumptions: [{ text: 'Rollout takes 2 weeks', sources: [{ kind: 'assumption', reason: 'typical for a theme change' }] }],
    });

    expect(codes(prd)).toEqual(['problem unsupported-number', 'assumptions[0] unsupported-number']);
  });

  it('refuses a quote the cited source does not contain, and a source that does not exist', () => {
    const prd = anAuthoredPrd({
      goals: [
        { text: 'Dark theme for operators', sources: [{ kind: 'request', quote: 'operators asked for a dark theme' }] },
        { text: 'Dark theme for operators', sources: [{ kind: 'answer', index: 2, quote: 'dark' }] },
        { text: 'Dark theme for operators', sources: [{ kind: 'feedback', index: 1, quote: 'dark' }] },
      ],
    });

    expect(codes(prd)).toEqual(['goals[0] quote-not-found', 'goals[1] no-such-source', 'goals[2] no-such-source']);
  });

  it('supports decimal and thousands-separated numbers by the quotes that state them', () => {
    const ctx = { ...context, description: `${DARK_MODE_REQUEST.description} Uptime must reach 99.9% for 1,000 tenants on SAML 2.0.` };
    const quote = 'Uptime must reach 99.9% for 1,000 tenants on SAML 2.0';
    const prd = anAuthoredPrd({ goals: [{ text: 'Reach 99.9% uptime for 1,000 tenants (SAML 2.0)', sources: [{ kind: 'request', quote }] }] });

    expect(checkGrounding(prd, ctx)).toEqual([]);
    expect(codes(anAuthoredPrd({ goals: [{ text: 'Reach 99.95% uptime', sources: [{ kind: 'request', quote }] }] }), ctx)).toEqual([
      'goals[0] unsupported-number',
    ]);
  });

  it('backs a number only with what the source itself states: a quote cut out of "1,500" or "2, 5" backs neither 500 nor 2.5', () => {
    const ctx = { ...context, description: `${DARK_MODE_REQUEST.description} We have 1,500 operators; uptime 99.9%. Versions 2, 5.` };
    const prd = anAuthoredPrd({
      goals: [
        { text: 'Serve 500 operators', sources: [{ kind: 'request', quote: '500 operators' }] },
        { text: 'Support version 2.5', sources: [{ kind: 'request', quote: 'Versions 2. 5' }] },
        { text: 'Serve 1,500 operators', sources: [{ kind: 'request', quote: '1,500 operators' }] },
      ],
    });

    expect(codes(prd, ctx)).toEqual(['goals[0] unsupported-number', 'goals[1] unsupported-number']);
  });

  it('matches quotes as whole words only', () => {
    expect(codes(anAuthoredPrd({ goals: [{ text: 'Night work', sources: [{ kind: 'request', quote: 'ight-shift' }] }] }))).toEqual([
      'goals[0] quote-not-found',
    ]);
  });

  it('matches quotes whatever their case and punctuation', () => {
    const prd = anAuthoredPrd({ goals: [{ text: 'Night work', sources: [{ kind: 'request', quote: 'TOO bright, at night!' }] }] });

    expect(checkGrounding(prd, context)).toEqual([]);
  });

  it('refuses a question written as a requirement, and a requirement id used twice', () => {
    const request = [{ kind: 'request' as const, quote: 'Add dark mode' }];
    const prd = anAuthoredPrd({
      functionalRequirements: [
        { id: 'FR-1', description: 'Offer a dark theme', priority: 'P0', sources: request },
        { id: 'FR-1', description: 'What happens to charts in dark mode?', priority: 'P1', sources: request },
      ],
    });

    expect(codes(prd)).toEqual(['requirements[FR-1] duplicate-id', 'requirements[FR-1] question-as-requirement']);
  });

  it('reads requirement ids and version references as names, not quantities', () => {
    expect(numbersIn('FR-2 replaces NFR-10 since v2; cut p95 from 4 s to 1.5 s for 1,000 users on 2027-03-31')).toEqual([
      '95',
      '4',
      '1.5',
      '1000',
      '2027',
      '03',
      '31',
    ]);
  });

  describe('for a revision', () => {
    const previous = aPrdDocument();
    const feedback = [{ prdVersion: 1, feedback: 'Charts must stay readable. What about the mobile app?' }];
    const revision = (overrides: Partial<AuthoredPrd>) => checkGrounding(anAuthoredPrd(overrides), { ...context, feedback, previous });
    const readableCharts = {
      id: 'FR-2',
      description: 'Charts stay readable in the dark theme',
      priority: 'P0' as const,
      sources: [{ kind: 'feedback' as const, index: 1, quote: 'Charts must stay readable' }],
    };

    it('passes when each feedback item has a change-log entry that changed what it says', () => {
      expect(
        revision({
          functionalRequirements: [...previous.functionalRequirements, readableCharts],
          openQuestions: [
            ...previous.openQuestions,
            { text: 'What about the mobile app?', sources: [{ kind: 'feedback', index: 1, quote: 'What about the mobile app?' }] },
          ],
          changeLog: [
            { feedback: 1, summary: 'Charts readable; mobile is an open question', added: ['FR-2'], changed: [], removed: [], sections: ['openQuestions'] },
          ],
        }),
      ).toEqual([]);
    });

    it('refuses a version that leaves a feedback item unaddressed', () => {
      expect(revision({}).map((f) => f.code)).toEqual(['feedback-unaddressed']);
    });

    it('refuses changes no change-log entry accounts for, and entries claiming changes that were not made', () => {
      const findings = revision({
        goals: [{ text: 'Operators can work at night', sources: [{ kind: 'request', quote: 'at night' }] }],
        functionalRequirements: [
          { id: 'FR-1', description: 'Offer a dark theme', priority: 'P1', sources: [{ kind: 'request', quote: 'Add dark mode' }] },
          readableCharts,
        ],
        changeLog: [{ feedback: 1, summary: 'Charts readable', added: ['FR-2', 'FR-3'], changed: [], removed: ['FR-9'], sections: [] }],
      });

      expect(findings.map((f) => `${f.code}: ${f.message}`)).toEqual([
        'change-not-made: says FR-3 was added, but it is not in the new version',
        'change-not-made: says FR-9 was removed, but it was never in the PRD',
        'unexplained-change: FR-1 changed, but no change-log entry says so',
        'unexplained-change: goals changed, but no change-log entry says so',
      ]);
    });
  });
});
