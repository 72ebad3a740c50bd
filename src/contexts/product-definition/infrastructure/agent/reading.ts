import type { PrdSource } from '../../contracts';
import { fieldOfQuestion } from '../../domain/clarification';
import type { AssessmentInput, ClarificationField } from '../../domain/product-manager-agent';
import { decapitalise, meaningfulWords, sentences, withoutFinalStop } from './text';

/** A section of the request a sentence can state, by label or by cue. */
export type Section = 'problem' | 'audience' | 'outcome' | 'acceptanceCriteria' | 'requirements' | 'constraints' | 'nonGoals' | 'risks';

/** The priority a MoSCoW label ("Must:", "Should:", "Could:") gives the requirements under it. */
export type StatedPriority = 'P0' | 'P1' | 'P2';

/** Where a sentence was read: the request (title and description) or the n-th answer (from 1). */
export type Origin = { readonly kind: 'request' } | { readonly kind: 'answer'; readonly index: number };

/** One sentence of the request or of an answer, with what it was labelled or answered as. */
export interface Statement {
  readonly text: string;
  readonly origin: Origin;
  /** Its "Problem:"/"Users:"/… label, or the section of the question it answers. */
  readonly stated?: Section;
  /** The field of the question this sentence answers. */
  readonly answering?: ClarificationField;
  /** The priority of its "Must:"/"Should:"/"Could:" label. */
  readonly priority?: StatedPriority;
  readonly fromTitle: boolean;
}

/** The source a PRD statement cites for words of this sentence (the whole sentence by default). */
export function cite(statement: Statement, quote: string = statement.text): PrdSource {
  return statement.origin.kind === 'request' ? { kind: 'request', quote } : { kind: 'answer', index: statement.origin.index, quote };
}

/*
 * Labels: "Problem:", "Users:"/"For:"/"Who:", "Outcome:"/"Goal:", "Acceptance criteria:"/"Done
 * when:", "Constraints:", "Non-goals:"/"Out of scope:", "Risks:", and the MoSCoW labels "Must:",
 * "Should:", "Could:" (requirements at P0, P1, P2) and "Won't:" (non-goals), at a line or sentence
 * start, with an optional remark before the colon ("Won't (this release):"), put what follows (to
 * the next label, over following bullet lines) into that section.
 */
const LABELS: ReadonlyArray<readonly [Section, string, StatedPriority?]> = [
  ['problem', 'problem|pain points?|background|context|why'],
  ['audience', 'for|who|users?|audience|personas?|target users|customers|roles?'],
  ['outcome', 'desired outcome|outcomes?|goals?|objectives?|expected results?|success(?: metrics?)?'],
  ['acceptanceCriteria', 'acceptance criteria|acceptance|done when|definition of done'],
  ['requirements', 'requirements?'],
  ['requirements', 'must(?: have)?', 'P0'],
  ['requirements', 'should(?: have)?', 'P1'],
  ['requirements', 'could(?: have)?|nice to have|nice-to-have|optional', 'P2'],
  ['constraints', 'constraints?|limitations?|limits'],
  ['nonGoals', "non-goals?|out of scope|not in scope|won['’]?t(?: have)?|will not"],
  ['risks', 'risks?|concerns?'],
];
const LABEL_PATTERN = new RegExp(
  `(?:^|(?<=[\\n.;!?]))[ \\t]*(?:[-*•][ \\t]*)?(${LABELS.map(([, l]) => l).join('|')})(?:[ \\t]*\\([^()\\n]{0,40}\\))?[ \\t]*:`,
  'gi',
);
const BULLET = /^\s*(?:[-*•]|\d+[.)])\s+/;

function labelled(label: string): { section: Section; priority?: StatedPriority } {
  const found = LABELS.find(([, alternatives]) => new RegExp(`^(?:${alternatives})$`, 'i').test(label.trim()));
  if (!found) return { section: 'problem' };
  const [section, , priority] = found;
  return priority ? { section, priority } : { section };
}

interface LabelledPart {
  section: Section | undefined;
  priority?: StatedPriority;
  lines: string[];
  takesPlainLines: boolean;
}

function splitByLabels(text: string): Array<{ section: Section | undefined; priority?: StatedPriority; text: string }> {
  const parts: LabelledPart[] = [];
  let current: (typeof parts)[number] | undefined;
  for (const line of text.split('\n')) {
    const matches = [...line.matchAll(LABEL_PATTERN)];
    const first = matches[0];
    if (!first) {
      if (current && line.trim() !== '' && (current.takesPlainLines || BULLET.test(line))) current.lines.push(line);
      else {
        current = undefined;
        parts.push({ section: undefined, lines: [line], takesPlainLines: false });
      }
      continue;
    }
    parts.push({ section: undefined, lines: [line.slice(0, first.index)], takesPlainLines: false });
    matches.forEach((match, i) => {
      const content = line.slice(match.index + match[0].length, matches[i + 1]?.index ?? line.length);
      current = { ...labelled(match[1] ?? ''), lines: [content], takesPlainLines: content.trim() === '' };
      parts.push(current);
    });
  }
  return parts.map(({ section, priority, lines }) => ({ section, ...(priority ? { priority } : {}), text: lines.join('\n') }));
}

/*
 * A sentence that says by itself where it belongs overrides the label it sits under: "SMS is out
 * of scope" after "Goal: …" on the same line is a non-goal, "Mobile isn't required" is not a
 * requirement, and "Done when …" states acceptance criteria without a colon.
 */
const EXCLUDED =
  /\b(?:out of scope|not in scope|non-goals?|not part of (?:this|the)\b|(?:is|are)(?:n't| not) (?:required|needed|necessary|planned|included|part of)|not required|stays? outside|outside (?:the |this )?(?:scope|project|release))/i;
const DONE_WHEN = /^(?:it(?:'s| is) )?(?:done when|definition of done\b|acceptance criteria\b)/i;

function ownSection(sentence: string, section: Section | undefined): Section | undefined {
  if (DONE_WHEN.test(sentence)) return 'acceptanceCriteria';
  if (section !== 'nonGoals' && section !== 'problem' && EXCLUDED.test(sentence)) return 'nonGoals';
  return section;
}

const FIELD_SECTION: Readonly<Record<ClarificationField, Section | undefined>> = {
  problem: 'problem',
  audience: 'audience',
  outcome: 'outcome',
  acceptanceCriteria: 'acceptanceCriteria',
  constraints: 'constraints',
  scope: undefined,
};

// ---- Cues: the words that make an unlabelled sentence state a section. ----

export const PROBLEM_CUE =
  /\b(?:problems?|pain|issues?|struggl\w*|frustrat\w*|complain\w*|currently|today|right now|at the moment|cannot|can't|can not|unable|hard to|difficult|too (?:slow|long|many|much)|slow|broken|errors?|fail\w*|time(?:s|d)? ?out|crash\w*|missing|miss(?:es|ed)?|los(?:e|es|t|ing)|wast\w*|manual(?:ly)?|by hand|no way to|there is no|don't know|do not know|confus\w*|stuck|delay\w*|late|one (?:\w+ )?at a time|spend\w* (?:\w+ )?(?:hours|days|minutes|time|ages|too long)|takes? (?:hours|days|ages|too long|forever)|usually|always|every time|out of date|outdated|stale|(?:stays?|remains?) (?:empty|open|unread|unused|unanswered)|(?:have |has )?asked for|most requested|keeps? \w+ing|by post|on paper|by phone|spreadsheets?)\b/i;
/** A sentence about how things are now (or were lately) describes the problem, never a requirement or a target. */
const PRESENT_STATE =
  /\b(?:today|currently|right now|at the moment|at present|these days|so far|last (?:quarter|year|month|week|cycle|sprint|season|release))\b/i;
/** A sentence that says what success is states the outcome, even when it names today's pain ("fewer late reviews"). */
const SUCCESS_CUE = /\b(?:the goal|our goal|the aim|aim is|success (?:is|means|will be|would be|if)|(?:call|consider) it a success)\b/i;
/** A purpose stated as such: "so that", "so they can", "in order to", "the goal is", "success is". */
const PURPOSE_CUE = new RegExp(`\\b(?:so that|so (?:they|we|i|you|he|she|it|users?|customers?) can|in order to|outcome)\\b|${SUCCESS_CUE.source}`, 'i');
/** A change for the better; it states an outcome unless the sentence describes today's pain. */
const CHANGE_CUE =
  /\b(?:reduc\w*|increas\w*|cut|halve|double|fewer|sav(?:e|es|ing)|less time|instead of|no longer|without (?:waiting|having to|calling|asking))\b/i;
const OUTCOME_CUE = { test: (text: string): boolean => PURPOSE_CUE.test(text) || (CHANGE_CUE.test(text) && !PROBLEM_CUE.test(text)) };
/** Weaker exclusion cues for an unlabelled sentence; the explicit ones (EXCLUDED, above) have already made it a non-goal. */
const NON_GOAL_CUE = /\b(?:not part of|no need to|don't need|do not need|not needed|won't|will not|is not about|excluding|later phase|not (?:now|yet))\b/i;
const RISK_CUE = /\b(?:risks?|risky|concern(?:ed|s)?|worr(?:y|ied)|danger\w*|might break|could break|may break|side effects?)\b/i;
const MODAL =
  /\b(?:must|shall|should|could|may|might|needs?|has to|have to|required|requires?|nice to have|nice-to-have|ideally|optional(?:ly)?|be able to|would like|wants?)\b/i;
/** A target rather than a quantity: a comparison with a number, or a change from one number to another; "up to 100" is a cap, a bare percentage a detail. */
const TARGET = /\b(?:under|below|within|at least|at most|no more than|less than|fewer than|more than|from \S+(?: \w+)? to|by|down(?: by| to)?|up by)\s+\d/i;
/** A count given as an estimate ("around 4,000 letters a month") describes today, not a requirement. */
export const ESTIMATE = /\b(?:about|around|roughly|approximately|nearly|almost|some)\s+(?:\d|one in|1 in)/i;
/** A target a reviewer can measure: a number with a unit or a comparison. */
const MEASURE =
  /(?:\d+(?:[.,]\d+)?\s*(?:%|percent|ms|milliseconds?|s\b|sec\w*|seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|times|x\b|per\b|clicks?|steps?|tickets?|errors?|users?|rows?|records?|requests?|calls?))|\b(?:under|below|within|at least|at most|no more than|less than|fewer than|more than|from \S+ to|by)\s+\d/i;
const QUESTION_START = /^(?:what|how|why|who|whom|whose|when|where|which|is|are|do|does|did|can|could|should|would|will|shall)\b/i;

/** Ends with "?", or starts like a question and does not end as a statement ("When someone cancels, the slot stays empty." is none). */
export const isQuestion = (text: string): boolean => text.trim().endsWith('?') || (QUESTION_START.test(text.trim()) && !/[.!]$/.test(text.trim()));
export const isMeasurable = (text: string): boolean => /\d/.test(text) && MEASURE.test(text);
export const isNonGoal = (s: Statement): boolean => s.stated === 'nonGoals' || (s.stated === undefined && NON_GOAL_CUE.test(s.text));
export const isRisk = (s: Statement): boolean => s.stated === 'risks' || (s.stated === undefined && RISK_CUE.test(s.text));

// ---- Who: role nouns and the phrase naming them. ----

const ROLE_NOUNS =
  'customers?|clients?|admins?|administrators?|operators?|engineers?|developers?|managers?|analysts?|agents?|' +
  'accountants?|planners?|designers?|marketers?|dispatchers?|nurses?|doctors?|clinicians?|drivers?|editors?|writers?|authors?|' +
  'recruiters?|leads?|staff|employees?|members?|visitors?|buyers?|sellers?|merchants?|vendors?|suppliers?|students?|teachers?|' +
  'patients?|requesters?|approvers?|reviewers?|teams?|owners?|shoppers?|subscribers?|guests?|tenants?|landlords?|' +
  'technicians?|mechanics?|pharmacists?|cashiers?|clerks?|officers?|auditors?|volunteers?|coaches?|players?|parents?|' +
  'riders?|couriers?|partners?|resellers?|moderators?|executives?|directors?|leadership|management|' +
  'support|finance|sales|ops|hr|users?|people|everyone';
/** Who alone is no audience: "users", "people" need a qualifier ("mobile users"). */
const GENERIC_ROLE = /^(?:users?|people|everyone|support|finance|sales|ops|hr|teams?|members?|leads?|owners?|partners?)$/i;
const ROLE = new RegExp(`\\b((?:[a-z][\\w-]*\\s+){0,2}(?:${ROLE_NOUNS}))\\b`, 'gi');
/** Words before a role noun that do not qualify it: articles, pronouns, verbs that take a person, adverbs of time. */
const NOT_A_QUALIFIER = new Set(
  (
    'for the a an all our their your my to of by as and or with many some most every each per any other these those when if that who which it its we they i ' +
    'large small big new so only often also today currently now then but because from where while even just still ' +
    'let lets allow allows help helps give gives show shows send sends notify notifies tell tells ask asks email emails call calls make makes get gets ' +
    'want wants need needs see sees lets enable enables remind reminds alert alerts invite invites assign assigns contact contacts is are be into in on at onto about over under after before via through across within without'
  ).split(' '),
);

/** "users of the insurance app", "people on our web store": a generic role qualified by the product it uses. */
const USERS_OF =
  /\b((?:users?|people|customers?) (?:of|on|in) (?:the |our |their )?(?:[\w-]+\s+){0,2}?(?:apps?|application|site|website|web store|store|portal|product|platform|tool|service))\b/i;

/** The role phrases a sentence names: "account managers", "night-shift operators", "support agents". */
export function rolesIn(text: string): string[] {
  const found: string[] = [];
  const usersOf = USERS_OF.exec(text)?.[1];
  if (usersOf) found.push(decapitalise(usersOf));
  for (const match of text.matchAll(ROLE)) {
    // "forever and people": a qualifier never reaches over a conjunction.
    const all = (match[1] ?? '').split(/\s+/);
    const joined = all.map((w) => /^(?:and|or|nor|but)$/i.test(w)).lastIndexOf(true);
    const words = all.slice(joined + 1);
    // "IT admin" keeps its acronym; "it", "we", "let" are not qualifiers.
    let ours = false;
    while (words.length > 1 && !/^[A-Z]{2,}$/.test(words[0] ?? '') && NOT_A_QUALIFIER.has((words[0] ?? '').toLowerCase()))
      ours = /^our$/i.test(words.shift() ?? '');
    // A qualifier must not be a verb or a word like "large" that describes the object instead.
    const phrase = words.join(' ');
    const head = words[words.length - 1] ?? '';
    if (words.length === 1 && GENERIC_ROLE.test(head)) continue;
    if (words.length > 1 && /(?:ly)$/i.test(words[0] ?? '') && GENERIC_ROLE.test(head)) continue;
    // Adjacent role words are one role: "customer" + "success managers" is "customer success managers".
    const last = found.at(-1);
    const compound =
      last !== undefined && !last.includes(' ') && words.length <= 2 && text.toLowerCase().includes(`${last.toLowerCase()} ${phrase.toLowerCase()}`);
    if (compound) found[found.length - 1] = `${last} ${phrase}`;
    // "our biggest customer" keeps its "our": one customer, not a kind of user.
    else found.push(ours && words.length > 1 && !/s$/i.test(head) ? `our ${decapitalise(phrase)}` : decapitalise(phrase));
  }
  return found;
}

// ---- Reading the whole input. ----

export interface Reading {
  readonly statements: readonly Statement[];
  /** For each field asked about, the answers given, oldest first (with their index from 1). */
  readonly answers: ReadonlyMap<ClarificationField, ReadonlyArray<Answer>>;
  /** Distinct meaningful words in the request and the usable answers. */
  readonly contentWords: number;
}

export interface Answer {
  readonly index: number;
  readonly text: string;
  readonly vague: boolean;
  /** The requester said they do not know: asking again would not help. */
  readonly declined: boolean;
}

const DECLINED = /\b(?:i )?(?:don'?t|do not) know\b|\bnot sure\b|\bno idea\b|\bidk\b|\bdunno\b|\bunsure\b|\bwhatever you think\b|\byou decide\b|\bup to you\b/i;

/** "I don't know", "not sure, whatever you think": the requester cannot say more about this. */
export function isDeclined(text: string): boolean {
  return DECLINED.test(text) && meaningfulWords(text.replace(DECLINED, ' ')).length < 4;
}

/**
 * A vague answer carries nothing a PRD can rest on: no number and fewer than two meaningful words
 * ("faster", "it is fast", "idk", "yes"). An audience answer naming a role ("admins") is not vague.
 */
export function isVague(text: string, field: ClarificationField | undefined): boolean {
  if (/\d/.test(text)) return false;
  if (field === 'audience' && new RegExp(`\\b(?:${ROLE_NOUNS})\\b`, 'i').test(text) && meaningfulWords(text).length >= 1) return false;
  if (field === 'constraints' && /^\s*(?:none|no constraints?|nothing)\b/i.test(text)) return false;
  return meaningfulWords(text).length < 2;
}

export function read(input: AssessmentInput): Reading {
  const statements: Statement[] = [];
  const add = (text: string, origin: Origin, stated: Section | undefined, answering: ClarificationField | undefined, fromTitle: boolean): void => {
    for (const part of splitByLabels(text)) {
      for (const sentence of sentences(part.text)) {
        const section = ownSection(sentence, part.section ?? stated);
        const priority = section === 'requirements' ? part.priority : undefined;
        statements.push({
          text: sentence,
          origin,
          fromTitle,
          ...(section ? { stated: section } : {}),
          ...(answering ? { answering } : {}),
          ...(priority ? { priority } : {}),
        });
      }
    }
  };
  add(input.title, { kind: 'request' }, undefined, undefined, true);
  add(input.description, { kind: 'request' }, undefined, undefined, false);
  const answers = new Map<ClarificationField, Answer[]>();
  input.clarificationLog.forEach((entry, i) => {
    const field = fieldOfQuestion(entry.question);
    const declined = isDeclined(entry.answer);
    const vague = declined || isVague(entry.answer, field);
    if (field) answers.set(field, [...(answers.get(field) ?? []), { index: i + 1, text: entry.answer, vague, declined }]);
    if (!vague) add(entry.answer, { kind: 'answer', index: i + 1 }, field ? FIELD_SECTION[field] : undefined, field, false);
  });
  const content = statements.map((s) => s.text).join(' ');
  return { statements, answers, contentWords: new Set(meaningfulWords(content)).size };
}

// ---- What each section holds. ----

export const describing = (s: Statement): boolean => !s.fromTitle && !isQuestion(s.text);

/** "so that I do not have to manage separate passwords": a purpose that names what goes wrong without it. */
const NEGATED_PURPOSE =
  /\b(?:so that|so (?:they|we|i|you|users?|customers?) can|in order to)\b.*\b(?:not|don't|doesn't|no longer|never|without|stop|avoid|instead of)\b/i;

export function problemStatements(reading: Reading): Statement[] {
  const stated = reading.statements.filter(
    (s) =>
      describing(s) &&
      (s.stated === 'problem' ||
        (s.stated === undefined && (PROBLEM_CUE.test(s.text) || PRESENT_STATE.test(s.text)) && !SUCCESS_CUE.test(s.text) && !isNonGoal(s) && !isRisk(s))),
  );
  return stated.length > 0 ? stated : reading.statements.filter((s) => describing(s) && s.stated !== 'nonGoals' && NEGATED_PURPOSE.test(s.text));
}

export function outcomeStatements(reading: Reading): Statement[] {
  return reading.statements.filter(
    (s) => describing(s) && (s.stated === 'outcome' || ((s.stated === undefined || s.stated === 'problem') && OUTCOME_CUE.test(s.text))),
  );
}

export function criterionStatements(reading: Reading): Statement[] {
  return reading.statements.filter((s) => describing(s) && s.stated === 'acceptanceCriteria');
}

/** The role the request is for, and the statement naming it; a stated audience wins over a mention. */
export function audienceOf(reading: Reading): { role: string; statement: Statement; quote: string } | undefined {
  const stated = reading.statements.find((s) => s.stated === 'audience' && meaningfulWords(s.text).length > 0);
  if (stated) {
    const text = withoutFinalStop(stated.text);
    // A short statement is the role as written, unless it lists several ("dispatchers, and the drivers they send").
    const named = rolesIn(text);
    const role = text.split(/\s+/).length <= 8 && named.length < 2 ? text.replace(/^(?:for|as an?)\s+/i, '') : (named[0] ?? text);
    return { role: decapitalise(role), statement: stated, quote: role };
  }
  // A role the description or an answer names wins over one the title names.
  for (const statement of [...reading.statements.filter((s) => !s.fromTitle), ...reading.statements.filter((s) => s.fromTitle)]) {
    const role = rolesIn(statement.text)[0];
    if (role) return { role, statement, quote: role };
  }
  return everyoneOfProduct(reading);
}

/** The product a request names as its own: "our iOS and Android banking app" → "banking app", "Our CI pipeline" → "CI pipeline". */
const OWN_PRODUCT = /\bour\s+(?:[\w-]+\s+)*?((?:[\w-]+\s+)?(?:apps?|application|site|website|web store|portal|platform|tool|service|pipeline|system))\b/i;
const EVERYONE = /\b(users|everybody|everyone)\b/i;

/**
 * "Users can override it in Settings" in a request about "our banking app", "everybody hits rerun"
 * about "our CI pipeline": alone "users" and "everybody" are no audience, but the product the
 * request names says whose they are (the users of that product).
 */
function everyoneOfProduct(reading: Reading): { role: string; statement: Statement; quote: string } | undefined {
  const request = reading.statements.filter((s) => s.origin.kind === 'request');
  const product = request.map((s) => OWN_PRODUCT.exec(s.text)?.[1]).find((p) => p !== undefined);
  if (!product) return undefined;
  for (const statement of request.filter((s) => describing(s))) {
    const who = EVERYONE.exec(statement.text)?.[1];
    if (who) return { role: /^users$/i.test(who) ? `users of our ${product}` : `people who use our ${product}`, statement, quote: who };
  }
  return undefined;
}

/**
 * A statement a requirement can rest on: it says what the product must, should or could do
 * (a modal verb), or is a listed acceptance criterion or constraint. A sentence that only
 * describes today's pain ("they have to copy invoices by hand") is the problem, not a requirement.
 */
export function requirementStatements(reading: Reading): Statement[] {
  return reading.statements.filter((s) => {
    if (!describing(s) || isNonGoal(s) || isRisk(s) || PRESENT_STATE.test(s.text)) return false;
    if (s.stated === 'problem' || s.stated === 'audience') return false;
    if (s.stated === 'acceptanceCriteria' || s.stated === 'requirements') return true;
    if (s.stated === 'constraints') return !/^\s*(?:none|n\/a|nothing|no constraints?)\b/i.test(s.text);
    if (s.answering === 'scope') return meaningfulWords(s.text).length >= 2;
    if (IMPERATIVE.test(s.text)) return true;
    if (!MODAL.test(s.text)) return false;
    const strongModal = /\b(?:must|shall|should|could|may|nice to have|nice-to-have|ideally|optional(?:ly)?|be able to)\b/i.test(s.text);
    return strongModal || !PROBLEM_CUE.test(s.text);
  });
}

/**
 * Sentences with a measurable target the requester gave: a number with a unit in an outcome, or a
 * comparison ("within 2 minutes", "from 2 hours to 10 minutes", "by 50%"). A quantity alone ("up
 * to 100 rows", "30 minutes before") is a requirement's detail, not a target.
 */
export function targetStatements(reading: Reading): Statement[] {
  return reading.statements.filter(
    (s) =>
      describing(s) &&
      isMeasurable(s.text) &&
      !isNonGoal(s) &&
      !PRESENT_STATE.test(s.text) &&
      (s.stated === 'outcome' || s.answering === 'outcome' || TARGET.test(s.text)) &&
      (s.stated !== 'problem' || OUTCOME_CUE.test(s.text)) &&
      // A number in a sentence about what goes wrong ("22% of reviews were late") is the baseline.
      (s.stated === 'outcome' || s.answering === 'outcome' || PURPOSE_CUE.test(s.text) || !PROBLEM_CUE.test(s.text)),
  );
}

// ---- What the requester wants to be able to do. ----

const WANT = /\b(?:wants?|needs?|would like|'d like|wish(?:es)?|should be able|must be able|be able)\s+(to\s+)?(?:be able to\s+)?(.+)$/i;
const LET = /\b(?:let|lets|allow|allows|enable|enables)\s+(?:\w+\s+){1,3}?(?:to\s+)?([a-z]+\b.*)$/i;
const CLAUSE_END = /\s*(?:,|\bso that\b|\bso (?:they|we|i|you|users?|customers?) can\b|\bin order to\b|\bbecause\b|\bwhich\b|\bwhen\b|\binstead of\b|\bbut\b)/i;
const TITLE_VERB =
  /^(?:please\s+)?(add|build|create|implement|introduce|support|enable|provide|offer|allow|show|display|let|export|import|send|notify|track|search|filter|sort|sync|schedule|share|download|upload|archive|delete|edit|view|see|generate|automate|integrate|migrate|connect|remind|alert|log|record|approve|assign|invite|book|pay|refund|print)\b\s*(.*)$/i;
/** A description sentence that starts with a verb asks for something: "Send an alert to the team lead…". */
const IMPERATIVE =
  /^(?:please\s+)?(?:add|build|create|implement|introduce|enable|provide|offer|allow|show|display|let|export|import|send|notify|track|search|filter|sort|sync|schedule|share|download|upload|archive|delete|edit|view|generate|automate|integrate|migrate|connect|remind|approve|assign|invite|print|hide|highlight|require|block|warn|include|exclude|keep|store|save)\s/i;
const HAVE_VERBS = /^(?:add|build|create|implement|introduce|support|enable|provide|offer|allow|show|display|let|automate)$/i;
const MAKE = /^(?:make|get)\s+(.+?)\s+(faster|quicker|better|easier|simpler|clearer|cleaner|safer|cheaper|nicer|more \w+|less \w+|work)$/i;

export interface Capability {
  /** A verb phrase for "I want …": "to export invoices as CSV", "the export to finish within 2 minutes". */
  readonly iWant: string;
  readonly statement: Statement;
  /** The request's own words it rests on. */
  readonly quote: string;
}

/**
 * The capability the user story asks for: the first "want/need/would like (to) …", "be able to …"
 * or "let/allow … to …" clause of the description or the answers; else the title turned into a
 * verb phrase ("Add dark mode" → "to have dark mode", "Export invoices" → "to export invoices").
 */
export function capabilityOf(reading: Reading): Capability | undefined {
  for (const statement of reading.statements) {
    if (statement.fromTitle || isQuestion(statement.text) || isNonGoal(statement) || statement.stated === 'problem' || statement.stated === 'audience')
      continue;
    const want = WANT.exec(statement.text);
    const wanted = want?.[2] ? withoutFinalStop(want[2].split(CLAUSE_END)[0] ?? '') : '';
    if (want && meaningfulWords(wanted).length >= 2) {
      const infinitive = want[1] !== undefined || /be able/i.test(want[0]);
      // "want nurses to request a swap": the role wants to request it.
      const someoneTo = /^((?:\w+\s+){1,3}?)to\s+(.+)$/i.exec(wanted);
      if (
        !infinitive &&
        someoneTo?.[1] &&
        someoneTo[2] &&
        (rolesIn(someoneTo[1]).length > 0 || /^(?:them|us|me|people|users?)\s*$/i.test(someoneTo[1].trim()))
      ) {
        return { iWant: `to ${someoneTo[2]}`, statement, quote: someoneTo[2] };
      }
      return { iWant: infinitive ? `to ${wanted}` : wanted, statement, quote: wanted };
    }
    const allowed = withoutFinalStop(LET.exec(statement.text)?.[1]?.split(CLAUSE_END)[0] ?? '');
    if (meaningfulWords(allowed).length >= 2) return { iWant: `to ${allowed}`, statement, quote: allowed };
  }
  const title = reading.statements.find((s) => s.fromTitle);
  if (!title) return undefined;
  const text = withoutFinalStop(title.text);
  const verb = TITLE_VERB.exec(text);
  const [, head, rest] = verb ?? [];
  if (head && rest && meaningfulWords(rest).length > 0) {
    return HAVE_VERBS.test(head)
      ? { iWant: `to have ${decapitalise(rest)}`, statement: title, quote: rest }
      : { iWant: `to ${decapitalise(text)}`, statement: title, quote: text };
  }
  const make = MAKE.exec(text);
  if (make?.[1] && make[2]) return { iWant: `${decapitalise(make[1])} to ${make[2] === 'work' ? 'work' : `be ${make[2]}`}`, statement: title, quote: text };
  if (meaningfulWords(text).length === 0) return undefined;
  return { iWant: `to use ${decapitalise(text)}`, statement: title, quote: text };
}

/** The "so that" of an outcome sentence: its purpose clause when it has one, else the sentence. */
export function purposeOf(statement: Statement): string {
  const clause =
    /\b(?:so that|in order to)\s+(.+)$/i.exec(statement.text)?.[1] ?? /\bso ((?:they|we|i|you|users?|customers?) can .+)$/i.exec(statement.text)?.[1];
  const purpose = decapitalise(withoutFinalStop(clause ?? statement.text.replace(/^(?:the |our )?(?:goal|aim|outcome) is (?:to )?/i, '')));
  return /^(?:reduce|increase|cut|save|halve|double|improve|get|spot|avoid|stop|keep|lower|raise|speed|shorten|remove|eliminate|see|know|find)\b/i.test(purpose)
    ? `we ${purpose}`
    : purpose;
}
