import { z } from 'zod';
import type { ClarificationAnswer } from '../../../task-management/contracts';
import { InvalidRequestError } from '../../domain/human-interaction.errors';
import { answersBody, approveBody, rejectBody } from '../http/request-schemas';
import { answerFields, field, type FormBody, numberField } from './form-fields';
import { type FormShape, formIssues, parseForm } from './form-validation';

/**
 * The forms that act on a task, on its page and on the pages of its signed links, read into the
 * bodies of the API routes that do the same (POST /api/tasks/:id/answers, /approve, /reject) and
 * checked with those routes' schemas. Only what a form says differently is here: its field names,
 * and the words of the link pages.
 */

/** An answer form names each answer `answer-<i>` after its question; the API body, `answers.<i>.answer`. */
const answerShape: FormShape = {
  fieldOf: (path) => (path[0] === 'answers' && typeof path[1] === 'number' ? `answer-${path[1]}` : path.map(String).join('.')),
};

/** The answers body: one answer per question shown, by position (an answer left out is empty). */
const answersFor = (questions: readonly string[], given: readonly string[]) => ({
  answers: questions.map((question, i) => ({ question, answer: given[i] ?? '' })),
});

/** The task page's answers to the questions it showed; answers beyond them are not read. */
export function pageAnswers(body: FormBody, questions: readonly string[]): ClarificationAnswer[] {
  return parseForm(answersBody, answersFor(questions, answerFields(body)), answerShape).answers;
}

const shownAt = z.object({ version: z.number({ error: 'is required (the task version the form was shown at)' }) });

/** The task version the page's form was shown at: answers pair with questions by position, so only with those. */
export function shownAtVersion(body: FormBody): number {
  return parseForm(shownAt, { version: numberField(body, 'version') }).version;
}

/**
 * The PRD version the page's decision form was shown for: required (the API may leave it out, a
 * form never does), so a decision is on the version the person read and never silently on the
 * current one. Missing or not a positive whole number: 400 naming prdVersion.
 */
const formPrdVersion = z
  .number({
    error: (issue) =>
      issue.input === undefined || issue.input === '' ? 'is required (the PRD version the form was shown for)' : 'must be a positive whole number',
  })
  .int()
  .positive({ error: 'must be a positive whole number' });
const approveForm = approveBody.extend({ prdVersion: formPrdVersion });
const rejectForm = rejectBody.extend({ prdVersion: formPrdVersion });

/** The number when the field is digits; what was sent otherwise, for the schema to refuse. */
const prdVersionOf = (body: FormBody): number | string | undefined => numberField(body, 'prdVersion') ?? field(body, 'prdVersion');

export function approval(body: FormBody): { readonly prdVersion: number } {
  return parseForm(approveForm, { prdVersion: prdVersionOf(body) });
}

export function rejection(body: FormBody): { readonly feedback: string; readonly prdVersion: number } {
  return parseForm(rejectForm, { feedback: field(body, 'feedback') ?? '', prdVersion: prdVersionOf(body) });
}

/** A link's form says what is missing in its own words (the words its pages have always used). */
const linkAnswerShape: FormShape = {
  ...answerShape,
  wordsFor: (issue, usual) => {
    if (issue.code === 'too_small') return 'every question needs an answer';
    if (issue.code === 'too_big') return `an answer has at most ${String(issue.maximum)} characters`;
    return usual;
  },
};

/** An answer link's form: every question it asked needs an answer, and no more answers than questions. */
export function linkAnswers(body: FormBody, questions: readonly string[]): ClarificationAnswer[] {
  const given = answerFields(body);
  const checked = formIssues(answersBody, answersFor(questions, given), linkAnswerShape);
  const issues = 'issues' in checked ? [...checked.issues] : [];
  if (given.length > questions.length) issues.push({ field: 'answer', message: `there are ${questions.length} questions but ${given.length} answers` });
  if ('data' in checked && issues.length === 0) return checked.data.answers;
  throw new InvalidRequestError(issues);
}

/** A reject link's form: the feedback the next version is written from. */
export function linkFeedback(body: FormBody): string {
  const feedbackShape: FormShape = {
    wordsFor: (issue, usual) => (issue.code === 'too_small' ? 'is required. Say what the next version should change.' : usual),
  };
  return parseForm(rejectBody, { feedback: field(body, 'feedback') ?? '' }, feedbackShape).feedback;
}
