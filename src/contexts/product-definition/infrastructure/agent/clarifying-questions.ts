import { decapitalise, withoutFinalStop } from './text';

/** What a PRD needs from the requester; each missing one gets its own question. */
export const ELEMENTS = ['problem', 'audience', 'outcome', 'acceptanceCriteria', 'constraints'] as const;
export type Element = (typeof ELEMENTS)[number];

const LEADING_VERB = /^(?:please\s+)?(?:add|make|build|create|implement|introduce|support|enable|allow|provide|improve|fix|update|change|let|give|offer)\s+/i;
const TRAILING_FILLER = /\s+(?:better|nicer|good|great|again|work|properly)$/i;

/**
 * The request's own subject, quoted in every question so the requester sees what is meant:
 * "Add dark mode for the dashboard" → "dark mode for the dashboard", "Make the dashboard better"
 * → "the dashboard".
 */
export function subjectOf(title: string): string {
  const base = decapitalise(withoutFinalStop(title));
  const stripped = base.replace(LEADING_VERB, '').replace(TRAILING_FILLER, '').trim();
  const subject = stripped.length > 0 ? stripped : base;
  const firstWords = subject.split(/\s+/).slice(0, 10).join(' ');
  return firstWords.length > 0 ? firstWords : 'this request';
}

/**
 * Each question starts with a fixed lead, so a later assessment recognises which element an
 * answered question was about and never asks about it again (even if the subject changed).
 */
const QUESTIONS: Readonly<Record<Element, { lead: string; rest: string }>> = {
  problem: { lead: 'What problem should', rest: 'solve? Describe what goes wrong or is too hard today without it.' },
  audience: { lead: 'Who will use', rest: '(which users or roles), and in what situation?' },
  outcome: { lead: 'What outcome do you expect from', rest: '— what should be different once it ships, ideally something we can measure?' },
  acceptanceCriteria: { lead: 'How will we know', rest: 'is done? List the acceptance criteria a reviewer can check.' },
  constraints: {
    lead: 'What constraints apply to',
    rest: '(deadlines, platforms, compliance, performance, things that must not change)? Answer "none" if there are none.',
  },
};

export function questionFor(element: Element, subject: string): string {
  const { lead, rest } = QUESTIONS[element];
  return `${lead} '${subject}' ${rest}`;
}

/** The element a question of ours was about; undefined for a question we did not write. */
export function elementOfQuestion(question: string): Element | undefined {
  return ELEMENTS.find((element) => question.trim().startsWith(QUESTIONS[element].lead));
}
