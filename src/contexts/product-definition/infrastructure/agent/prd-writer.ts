import type { PrdDocument } from '../../contracts';
import type { AssessmentInput } from '../../domain/product-manager-agent';
import { type Element, questionFor } from './clarifying-questions';
import type { RequestAnalysis } from './request-analysis';
import { deriveRequirements, feedbackLine, targetOfFeedback } from './requirements';
import { capitalise, clip, decapitalise, unique, withoutFinalStop } from './text';

const MEASURABLE = /\d|%|\b(?:measur\w*|percent|fewer|less|faster|quicker|reduc\w*|increas\w*|halve|double)\b/i;

const ASSUMPTION: Readonly<Record<Element, (subject: string) => string>> = {
  problem: (s) => `The problem behind '${s}' is as the request describes; it was not stated explicitly.`,
  audience: (s) => `The audience is every current user of '${s}'; no narrower group was named.`,
  outcome: (s) => `Success means '${s}' is available and used; no measurable outcome was named.`,
  acceptanceCriteria: (s) => `Acceptance criteria for '${s}' will be agreed during review.`,
  constraints: () => 'No deadline, platform, compliance or performance constraint applies beyond current standards.',
};

const RISK: Readonly<Record<Element, (subject: string) => string>> = {
  problem: (s) => `Building '${s}' without a stated problem may solve the wrong problem.`,
  audience: (s) => `Without a named audience, '${s}' may not fit the people who need it.`,
  outcome: () => 'Without a measurable outcome, nobody can tell whether the change worked.',
  acceptanceCriteria: () => 'Without agreed acceptance criteria, scope may grow during review.',
  constraints: () => 'Unstated constraints (deadline, platforms, compliance) may surface late.',
};

const KEYWORD_RISKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:data|migrat\w*|import\w*)\b/i, 'Existing data must be carried over without loss.'],
  [/\b(?:secur\w*|privacy|gdpr|hipaa|personal)\b/i, 'Security or privacy requirements may need a separate review.'],
  [/\b(?:deadline|by (?:q[1-4]|end of))\b/i, 'The deadline leaves little room for rework after review.'],
  [/\b(?:performance|latency|load|scal\w*)\b/i, 'Performance targets may need load testing before release.'],
];

export function writePrd(input: AssessmentInput, analysis: RequestAnalysis, open: readonly Element[]): PrdDocument {
  const { subject, fragments, audiences } = analysis;
  const requirements = deriveRequirements(analysis, input.feedback, audiences[0] ?? `users of ${subject}`);
  const outcome = fragments.outcome[0];
  const soThat = outcome
    ? decapitalise(withoutFinalStop(outcome).replace(/^(?:so that|in order to)\s+/i, ''))
    : 'the problem described above no longer gets in my way';
  const criteria = fragments.acceptanceCriteria.map((c) => capitalise(clip(withoutFinalStop(c))));
  const corpus = analysis.statements.join(' ');

  const nonGoals = [...fragments.nonGoals, ...analysis.statements.filter((s) => /\b(?:out of scope|not in scope|won't|will not|no need to)\b/i.test(s))];
  const successMetrics = fragments.outcome.filter((s) => MEASURABLE.test(s)).map((s) => `Measured: ${withoutFinalStop(s)}`);
  const risks = [...open.map((e) => RISK[e](subject)), ...KEYWORD_RISKS.filter(([cue]) => cue.test(corpus)).map(([, risk]) => risk)];
  const feedbackAddressed: string[] = [];
  for (const entry of input.feedback) {
    const target = targetOfFeedback(entry.feedback);
    const line = feedbackLine(entry);
    if (target === 'nonGoals') nonGoals.push(line);
    if (target === 'successMetrics') successMetrics.push(line);
    if (target === 'risks') risks.push(line);
    const id = requirements.idsForFeedback.get(entry);
    const where = id
      ? `added as requirement ${id} (P0)`
      : `added to ${target === 'nonGoals' ? 'non-goals' : target === 'successMetrics' ? 'success metrics' : 'risks'}`;
    feedbackAddressed.push(`v${entry.prdVersion}: "${clip(entry.feedback, 1_500)}" → ${where}`);
  }

  const document: PrdDocument = {
    title: clip(input.title, 200),
    problem:
      fragments.problem.length > 0
        ? clip(fragments.problem.join(' '), 3_000)
        : `Not stated by the requester. The request reads: "${clip(input.description, 500)}"`,
    goals: unique(fragments.outcome.length > 0 ? fragments.outcome.map((s) => capitalise(clip(withoutFinalStop(s)))) : [`Deliver ${subject}`]),
    nonGoals: unique([...nonGoals.map((s) => capitalise(clip(withoutFinalStop(s)))), `Changes outside '${subject}' that the request does not mention`]),
    userStories: (audiences.length > 0 ? audiences : [`user of ${subject}`]).map((asA) => ({
      asA: clip(asA, 200),
      iWant: clip(subject, 500),
      soThat: clip(soThat, 500),
      acceptanceCriteria: criteria.length > 0 ? criteria : [`To be agreed: ${questionFor('acceptanceCriteria', subject)}`],
    })),
    functionalRequirements: requirements.functional,
    nonFunctionalRequirements: requirements.nonFunctional,
    assumptions: [
      ...open.map((e) => ASSUMPTION[e](subject)),
      `The request is scheduled with ${input.priority} priority.`,
      `Existing behaviour outside '${subject}' stays as it is.`,
    ],
    risks: unique([...risks, `Users may not discover '${subject}' without an announcement.`]),
    successMetrics: unique([...successMetrics, `Every acceptance criterion of the user stories passes in review`]),
    openQuestions: open.map((element) => questionFor(element, subject)),
    originalRequest: `${input.title}\n\n${input.description}`,
    clarificationLog: input.clarificationLog.map((entry) => ({ question: clip(entry.question, 2_000), answer: clip(entry.answer, 5_000) })),
    feedbackAddressed,
  };
  return document;
}
