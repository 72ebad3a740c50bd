import { CLARIFICATION_FIELDS, type ClarificationField, type ClarifyingQuestion } from './product-manager-agent';

/** How each field reads in a question sent to the requester. */
const FIELD_LABEL: Readonly<Record<ClarificationField, string>> = {
  problem: 'the problem',
  audience: 'who it is for',
  outcome: 'the outcome',
  acceptanceCriteria: 'when it is done',
  constraints: 'constraints',
  scope: 'scope',
};

const RENDERED = /^About ([^:]+): (.+?)(?: Why it matters: (.+))?$/s;

/**
 * Task Management stores questions as text; this is the one way a question is written there:
 * "About who it is for: Who exports the reports? Why it matters: …". The field label lets any
 * later assessment see what an answered question was about, so it is never asked again.
 */
export function renderQuestion({ field, question, why }: ClarifyingQuestion): string {
  return `About ${FIELD_LABEL[field]}: ${question.trim()} Why it matters: ${why.trim()}`;
}

/** The field a question written by `renderQuestion` was about; undefined for any other text. */
export function fieldOfQuestion(rendered: string): ClarificationField | undefined {
  const label = RENDERED.exec(rendered.trim())?.[1];
  return CLARIFICATION_FIELDS.find((field) => FIELD_LABEL[field] === label);
}
