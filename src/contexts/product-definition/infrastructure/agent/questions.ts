import type { PrdSource } from '../../contracts';
import type { ClarificationField, ClarifyingQuestion } from '../../domain/product-manager-agent';
import {
  audienceOf,
  capabilityOf,
  cite,
  criterionStatements,
  isNonGoal,
  outcomeStatements,
  problemStatements,
  type Reading,
  rolesIn,
  requirementStatements,
  targetStatements,
} from './reading';
import { excerpt, meaningfulWords } from './text';

/** The fields whose absence blocks a useful PRD, in the order they are asked. Constraints and scope never block. */
export const BLOCKING_FIELDS = ['problem', 'audience', 'outcome', 'acceptanceCriteria'] as const satisfies readonly ClarificationField[];
export type BlockingField = (typeof BLOCKING_FIELDS)[number];

/**
 * What the PRD still lacks for one field: `ask` (never asked), `follow-up` (asked once, the answer
 * was too vague to use) or `open` (asked as often as we ask, or the requester said they do not
 * know; it becomes an open question).
 */
export interface Gap {
  readonly field: BlockingField;
  readonly state: 'ask' | 'follow-up' | 'open';
  /**
   * Whether this gap alone is worth a round. A missing outcome is not, once the problem and what
   * to check are known: the PRD can take "the problem goes away" as its outcome (stated as an
   * assumption) and ask for a target as an open question. It is still asked in a round that asks anyway.
   */
  readonly blocking: boolean;
  readonly question: ClarifyingQuestion;
  /** The words of the request or the answers the question quotes (its sources as an open question). */
  readonly quoted: readonly PrdSource[];
}

const COMPARATIVE = /\b(faster|quicker|slower|better|easier|simpler|clearer|cleaner|safer|cheaper|nicer|more reliable|more \w+)\b/i;
/** Every vague comparative of a text, to take them out. */
const COMPARATIVES = new RegExp(COMPARATIVE.source, 'gi');

/** What is wrong today, as a comparative implies it ("faster" → "too slow"). */
function painOf(comparative: string): string {
  if (/faster|quicker/i.test(comparative)) return 'too slow';
  if (/easier|simpler|clearer/i.test(comparative)) return 'hard to do or to understand';
  if (/safer|reliable/i.test(comparative)) return 'unsafe or failing';
  if (/cheaper/i.test(comparative)) return 'too expensive';
  return 'not good enough';
}

const FOLLOW_UP: Readonly<Record<BlockingField, { about: string; ask: string; section: string }>> = {
  problem: { about: 'the problem', ask: 'What exactly goes wrong today: which action, what happens instead, and how often?', section: 'the problem statement' },
  audience: { about: 'who it is for', ask: 'Which people do this: name a role or team (for example the ones who asked for it)?', section: 'the user stories' },
  outcome: {
    about: 'the outcome',
    ask: 'What should be measurably different once it ships: a time, a count or a rate, and from what to what?',
    section: 'the goals and success metrics',
  },
  acceptanceCriteria: {
    about: 'when it is done',
    ask: 'What would you check to accept it: one or two things a user can do or see when it works?',
    section: 'the acceptance criteria',
  },
};

/**
 * Words that only say that something is wrong, or how often someone said so, and words for the
 * product in general: none of them says what goes wrong.
 */
const NOT_THE_PROBLEM =
  /\b(?:problems?|issues?|complain\w*|broken|bad|poor|slow|frustrat\w*|struggl\w*|annoy\w*|terrible|awful|hate|please|fix|a lot|lately|recently|sometimes|often|again|keeps?|apps?|application|site|website|system|tool|product|feature|page|screen|platform|portal)\b/gi;

/**
 * A problem statement that only says something is wrong ("The app is too slow", "Search is
 * broken, please fix", "Customers keep complaining about it"): without its pain words, vague
 * comparatives, roles and words for the product in general, fewer than two meaningful words
 * remain, and it has no number. The PRD could not say what to change from it.
 */
function namesNoProblem(text: string): boolean {
  if (/\d/.test(text)) return false;
  const rest = text.replace(COMPARATIVES, ' ').replace(NOT_THE_PROBLEM, ' ');
  const roles = new Set(rolesIn(text).flatMap((r) => meaningfulWords(r)));
  return meaningfulWords(rest).filter((w) => !roles.has(w)).length < 2;
}

/** Requirement sentences with enough substance to check: three meaningful words besides vague comparatives. */
function checkableRequirements(reading: Reading): number {
  return requirementStatements(reading).filter((s) => meaningfulWords(s.text.replace(COMPARATIVES, ' ')).length >= 3).length;
}

/** The gaps of the blocking fields, with the question each would ask for this request. */
export function gapsOf(reading: Reading): Gap[] {
  const requestText = reading.statements
    .filter((s) => s.origin.kind === 'request')
    .map((s) => s.text)
    .join(' ');
  const title = reading.statements.find((s) => s.fromTitle)?.text ?? requestText;
  const capability = capabilityOf(reading);
  const problems = problemStatements(reading);
  const audience = audienceOf(reading);
  const comparative = COMPARATIVE.exec(requestText)?.[1];
  const titleStatement = reading.statements.find((s) => s.fromTitle);
  const titleSource: PrdSource[] = titleStatement ? [cite(titleStatement)] : [];
  const capabilitySource = capability ? [cite(capability.statement, capability.quote)] : titleSource;
  const vagueReferent = meaningfulWords(requestText.replace(COMPARATIVE, '')).length === 0;
  const saysWhat = capability && !vagueReferent ? `You ask for "${excerpt(capability.quote)}".` : `You wrote "${excerpt(title)}".`;
  const firstProblem = problems[0];
  const lead = firstProblem ? `You say "${excerpt(firstProblem.text)}".` : saysWhat;
  const leadSource = firstProblem ? [cite(firstProblem)] : capabilitySource;
  const quoted: Readonly<Record<BlockingField, PrdSource[]>> = {
    problem: comparative ? titleSource : capabilitySource,
    audience: leadSource,
    outcome: comparative ? titleSource : [...leadSource, ...(audience ? [cite(audience.statement, audience.quote)] : [])],
    acceptanceCriteria: capabilitySource,
  };

  const problemNamed = problems.some((p) => !namesNoProblem(p.text));
  const vagueProblem = problems.length > 0 && !problemNamed;
  const present: Readonly<Record<BlockingField, boolean>> = {
    problem: problemNamed,
    audience: audience !== undefined,
    outcome: outcomeStatements(reading).length > 0 || targetStatements(reading).length > 0,
    // One requirement sentence is the request restated ("we should send reminders"), not something
    // a reviewer can check; listed criteria, a target, or two requirements with substance are.
    acceptanceCriteria: criterionStatements(reading).length > 0 || targetStatements(reading).length > 0 || checkableRequirements(reading) >= 2,
  };

  const first: Readonly<Record<BlockingField, () => ClarifyingQuestion>> = {
    problem: () => ({
      field: 'problem',
      question: vagueProblem
        ? `${lead} What exactly goes wrong: which screen, task or step, what happens instead of what should, and how often?`
        : comparative
          ? `You wrote "${excerpt(title)}". What is ${painOf(comparative)} today${vagueReferent ? ', and which screen, report or task do you mean' : ''}: what happens that should not?`
          : `${saysWhat} What goes wrong today without it: what do people do instead, and what does that cost them?`,
      why: 'The problem statement and the requirements rest on what goes wrong today; without it the PRD would have to invent one.',
    }),
    audience: () => ({
      field: 'audience',
      question: `${lead} Who ${firstProblem ? 'runs into this' : 'would use it'}: which role or team (for example customers, support staff or admins), and in what situation?`,
      why: 'The user stories and acceptance criteria depend on who does it.',
    }),
    outcome: () => ({
      field: 'outcome',
      question: comparative
        ? `You want it ${comparative.toLowerCase()}. ${comparative.charAt(0).toUpperCase()}${comparative.slice(1).toLowerCase()} than what, measured how: what time, count or rate would tell you it worked?`
        : `${lead} What should be different once this ships${audience ? ` for ${audience.role}` : ''}: what will they be able to do, or how much time or error will it save?`,
      why: 'Goals and success metrics come from the outcome you expect; without one nobody can tell whether it worked.',
    }),
    acceptanceCriteria: () => ({
      field: 'acceptanceCriteria',
      question: `${saysWhat} What must it do for you to accept it: the cases it has to handle and what a user sees when it works?`,
      why: 'The requirements and acceptance criteria come from what you would check; the PRD should not guess them.',
    }),
  };

  const blocking = (field: BlockingField): boolean => field !== 'outcome' || !present.problem || !present.acceptanceCriteria;
  const gaps: Gap[] = [];
  for (const field of BLOCKING_FIELDS) {
    if (present[field]) continue;
    const answers = reading.answers.get(field) ?? [];
    const last = answers[answers.length - 1];
    if (!last) gaps.push({ field, state: 'ask', blocking: blocking(field), question: first[field](), quoted: quoted[field] });
    else {
      const { about, ask, section } = FOLLOW_UP[field];
      const question: ClarifyingQuestion = {
        field,
        question: `You answered "${excerpt(last.text, 10)}" about ${about}. ${ask}`,
        why: `"${excerpt(last.text, 10)}" is too short to write ${section} from; one more sentence keeps the PRD from guessing.`,
      };
      const answerSource: PrdSource = { kind: 'answer', index: last.index, quote: last.text };
      // One follow-up for a vague answer; none for "I don't know" (asking again would not help).
      const state = answers.length === 1 && last.vague && !last.declined ? 'follow-up' : 'open';
      // A vague answer to a question asked is always followed up: it was asked for a reason.
      gaps.push({ field, state, blocking: state === 'follow-up' || blocking(field), question, quoted: [answerSource] });
    }
  }
  return gaps;
}

const CONSTRAINT_CUE =
  /\b(?:deadline|by (?:q[1-4]|end of|the end)|budget|must not|mustn't|without (?:changing|breaking)|compatib\w*|complian\w*|gdpr|hipaa|pci|soc ?2|regulat\w*|legal|browsers?|ios|android|platforms?|accessib\w*|wcag|latency|within \d+|under \d+|at most|no more than|formats?)\b/i;
/** Words that draw the scope's line; "later" or "including" in passing ("retype everything later") do not. */
const SCOPE_CUE = /\b(?:only|first version|first release|v1|mvp|phase \d|excluding|except|out of scope|not in scope|can wait|(?:do|does|is) not include)\b/i;

/**
 * Questions that do not block a PRD but make it better, asked only in a round that asks anyway
 * and has room: the constraints (platforms, deadlines, compliance, limits) and the scope (what is
 * in and out), each only when nothing in the request or the answers touches it, the scope first.
 * Never asked twice.
 */
export function extrasOf(reading: Reading): ClarifyingQuestion[] {
  const text = reading.statements.map((s) => s.text).join(' ');
  const capability = capabilityOf(reading);
  const subject = capability ? `"${excerpt(capability.quote)}"` : 'this';
  const extras: ClarifyingQuestion[] = [];
  // Scope first: where the work ends shapes the requirements more than a limit on how it is built.
  const hasScope = reading.statements.some((s) => isNonGoal(s) || s.stated === 'nonGoals') || SCOPE_CUE.test(text);
  if (!hasScope && !reading.answers.has('scope')) {
    extras.push({
      field: 'scope',
      question: `What belongs to ${subject} in its first version, and what can wait or is out of scope?`,
      why: 'The requirements and non-goals mark where the work ends; without them the scope grows in review.',
    });
  }
  const hasConstraints = reading.statements.some((s) => s.stated === 'constraints') || CONSTRAINT_CUE.test(text);
  if (!hasConstraints && !reading.answers.has('constraints')) {
    extras.push({
      field: 'constraints',
      question: `Does anything limit how ${subject} may be built: platforms or formats it must support, a deadline, compliance rules, or limits of size or time? Answer "none" if nothing does.`,
      why: 'The non-functional requirements come from these; a limit found after review means rework.',
    });
  }
  return extras;
}
