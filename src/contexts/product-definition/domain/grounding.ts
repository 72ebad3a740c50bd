import type { AuthoredPrd, PrdDocument, PrdRequirement, PrdSource, SourcedItem } from '../contracts';
import type { ClarificationEntry, FeedbackEntry } from './product-request';

/** What the grounding check found wrong with one statement of a draft. */
export interface GroundingFinding {
  /** Where: `goals[0]`, `functionalRequirements[FR-2]`, `changeLog`, … */
  readonly path: string;
  readonly code:
    | 'no-source'
    | 'no-such-source'
    | 'quote-not-found'
    | 'unsupported-number'
    | 'question-as-requirement'
    | 'duplicate-id'
    | 'feedback-unaddressed'
    | 'change-not-made'
    | 'unexplained-change';
  readonly message: string;
}

/** What a draft may rest on: the service's own copy of the request, answers and feedback. */
export interface GroundingContext {
  readonly title: string;
  readonly description: string;
  readonly clarificationLog: readonly ClarificationEntry[];
  readonly feedback: readonly FeedbackEntry[];
  /** The version this draft revises; its changes are checked against the change log. */
  readonly previous?: PrdDocument;
}

/** Lower case, punctuation as spaces: a quote matches whatever the quoting changed in case or commas. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}%]+/gu, ' ')
    .trim();
}

/**
 * The numbers a text states: digit runs ("1,500" is one, "2027-03-31" three), percentages
 * included. Requirement ids (FR-2) and version references (v2) are names, not quantities.
 */
export function numbersIn(text: string): string[] {
  const withoutNames = text.replace(/\b(?:FR|NFR|US)-\d+\b/g, ' ').replace(/\bv\d+\b/gi, ' ');
  return (withoutNames.match(/\d+(?:,\d{3})*(?:\.\d+)?/g) ?? []).map((n) => n.replace(/,/g, ''));
}

type SectionKey = 'goals' | 'nonGoals' | 'assumptions' | 'risks' | 'successMetrics';
const SOURCED_SECTIONS: readonly SectionKey[] = ['goals', 'nonGoals', 'assumptions', 'risks', 'successMetrics'];
/** Sections compared between versions (requirements are compared by id). */
export const COMPARED_SECTIONS = ['problem', 'goals', 'nonGoals', 'userStories', 'assumptions', 'risks', 'successMetrics', 'openQuestions'] as const;

/**
 * The one grounding check, for every agent: a draft passes only when each statement names where
 * it comes from, each quote is really in the source it names, each number it states is in one of
 * its sources, and a revision accounts for every feedback item and every change it made.
 * Deterministic: the same draft and context always give the same findings.
 */
export function checkGrounding(prd: AuthoredPrd, context: GroundingContext): GroundingFinding[] {
  const findings: GroundingFinding[] = [];
  /** Each kind of source as written, and as quotes are matched against it (normalised). */
  const written = {
    request: [`${context.title}\n${context.description}`],
    answer: context.clarificationLog.map((entry) => entry.answer),
    feedback: context.feedback.map((entry) => entry.feedback),
  };
  const matched = { request: written.request.map(normalise), answer: written.answer.map(normalise), feedback: written.feedback.map(normalise) };
  const statedAnywhere = new Set(numbersIn([...written.request, ...written.answer, ...written.feedback].join('\n')));

  /**
   * The numbers a source backs: those its quote states that the source itself states as whole
   * numbers (a quote "500" in "1,500" matches as words, but backs no 500). Undefined, with a
   * finding, when the source does not exist or does not contain the quote as whole words.
   */
  const verified = (path: string, source: PrdSource): string[] | undefined => {
    if (source.kind === 'assumption') return undefined;
    const at = source.kind === 'request' ? 0 : source.index - 1;
    const [rawText, text] = [written[source.kind][at], matched[source.kind][at]];
    const label = source.kind === 'request' ? 'the request' : `${source.kind} ${source.index}`;
    if (rawText === undefined || text === undefined) {
      const count = `${written[source.kind].length} ${source.kind === 'answer' ? 'answers' : 'feedback items'}`;
      findings.push({ path, code: 'no-such-source', message: `cites ${label}, but there are only ${count}` });
      return undefined;
    }
    const quoted = normalise(source.quote);
    // Whole words only: "500" is not in "1 500", "art" is not in "start".
    if (quoted === '' || !` ${text} `.includes(` ${quoted} `)) {
      findings.push({ path, code: 'quote-not-found', message: `quotes "${source.quote}", which ${label} does not contain` });
      return undefined;
    }
    const stated = new Set(numbersIn(rawText));
    return numbersIn(source.quote).filter((n) => stated.has(n));
  };

  const checkNumbers = (path: string, text: string, supported: ReadonlySet<string>): void => {
    for (const number of numbersIn(text)) {
      if (!supported.has(number)) findings.push({ path, code: 'unsupported-number', message: `states ${number}, which none of its sources contains` });
    }
  };

  const checkItem = (path: string, text: string, sources: readonly PrdSource[], required = true): void => {
    if (sources.length === 0 && required) {
      findings.push({
        path,
        code: 'no-source',
        message: `"${text}" names no source (the request, an answer, a feedback item, or an assumption stated as such)`,
      });
      return;
    }
    // An open question needs no source; its numbers must still be stated somewhere.
    checkNumbers(path, text, sources.length === 0 ? statedAnywhere : new Set(sources.flatMap((source) => verified(path, source) ?? [])));
  };

  checkNumbers('title', prd.title, statedAnywhere);
  checkNumbers('problem', prd.problem, statedAnywhere);
  for (const section of SOURCED_SECTIONS) {
    prd[section].forEach((item: SourcedItem, i) => {
      checkItem(`${section}[${i}]`, item.text, item.sources);
    });
  }
  prd.openQuestions.forEach((item, i) => {
    checkItem(`openQuestions[${i}]`, item.text, item.sources, false);
  });
  prd.userStories.forEach((story, i) => {
    checkItem(`userStories[${i}]`, `${story.asA} ${story.iWant} ${story.soThat}`, story.sources);
    story.acceptanceCriteria.forEach((criterion, j) => {
      checkItem(`userStories[${i}].acceptanceCriteria[${j}]`, criterion.text, criterion.sources);
    });
  });
  const seen = new Set<string>();
  for (const requirement of [...prd.functionalRequirements, ...prd.nonFunctionalRequirements]) {
    const path = `requirements[${requirement.id}]`;
    if (seen.has(requirement.id)) findings.push({ path, code: 'duplicate-id', message: `${requirement.id} is used twice` });
    seen.add(requirement.id);
    checkItem(path, requirement.description, requirement.sources);
    if (requirement.description.trim().endsWith('?')) {
      findings.push({
        path,
        code: 'question-as-requirement',
        message: `"${requirement.description}" is a question: it belongs in openQuestions, not in the requirements`,
      });
    }
  }
  if (context.previous) findings.push(...checkRevision(prd, context.previous, context.feedback));
  return findings;
}

function requirementsById(prd: AuthoredPrd): Map<string, PrdRequirement> {
  return new Map([...prd.functionalRequirements, ...prd.nonFunctionalRequirements].map((r) => [r.id, r]));
}

const sameRequirement = (a: PrdRequirement, b: PrdRequirement): boolean => normalise(a.description) === normalise(b.description) && a.priority === b.priority;

/** A section as the revision check compares it: its statements' normalised text, in order. */
export function sectionText(prd: AuthoredPrd, section: (typeof COMPARED_SECTIONS)[number]): string {
  if (section === 'problem') return normalise(prd.problem);
  if (section === 'userStories') {
    return prd.userStories.map((s) => normalise(`${s.asA} ${s.iWant} ${s.soThat} ${s.acceptanceCriteria.map((c) => c.text).join(' ')}`)).join('|');
  }
  return prd[section].map((item) => normalise(item.text)).join('|');
}

/** A revision accounts for each new feedback item and for every requirement and section it changed. */
function checkRevision(prd: AuthoredPrd, previous: PrdDocument, feedback: readonly FeedbackEntry[]): GroundingFinding[] {
  const findings: GroundingFinding[] = [];
  const before = requirementsById(previous);
  const after = requirementsById(prd);
  const claimed = { added: new Set<string>(), changed: new Set<string>(), removed: new Set<string>(), sections: new Set<string>() };
  for (const change of prd.changeLog) {
    for (const id of change.added) {
      claimed.added.add(id);
      if (!after.has(id) || before.has(id))
        findings.push({
          path: 'changeLog',
          code: 'change-not-made',
          message: `says ${id} was added, but it ${after.has(id) ? 'was already in' : 'is not in'} the new version`,
        });
    }
    for (const id of change.changed) {
      claimed.changed.add(id);
      const [old, now] = [before.get(id), after.get(id)];
      if (!old || !now || sameRequirement(old, now))
        findings.push({
          path: 'changeLog',
          code: 'change-not-made',
          message: `says ${id} was changed, but it is ${!old || !now ? 'not in both versions' : 'the same in both'}`,
        });
    }
    for (const id of change.removed) {
      claimed.removed.add(id);
      if (after.has(id) || !before.has(id))
        findings.push({
          path: 'changeLog',
          code: 'change-not-made',
          message: `says ${id} was removed, but it ${after.has(id) ? 'is still in' : 'was never in'} the PRD`,
        });
    }
    for (const section of change.sections) claimed.sections.add(section);
  }
  const newFeedback = feedback.map((entry, i) => ({ entry, index: i + 1 })).filter(({ index }) => index > previous.feedback.length);
  for (const { entry, index } of newFeedback) {
    const changes = prd.changeLog.filter((change) => change.feedback === index);
    const changedSomething = changes.some((c) => c.added.length + c.changed.length + c.removed.length + c.sections.length > 0);
    if (!changedSomething) {
      findings.push({
        path: 'changeLog',
        code: 'feedback-unaddressed',
        message: `feedback ${index} ("${entry.feedback}") has no change-log entry that adds, changes or removes anything`,
      });
    }
  }
  const unexplained = (what: string): void => {
    findings.push({ path: 'changeLog', code: 'unexplained-change', message: `${what}, but no change-log entry says so` });
  };
  for (const [id, requirement] of after) {
    const old = before.get(id);
    if (!old && !claimed.added.has(id)) unexplained(`${id} is new`);
    if (old && !sameRequirement(old, requirement) && !claimed.changed.has(id)) unexplained(`${id} changed`);
  }
  for (const id of before.keys()) if (!after.has(id) && !claimed.removed.has(id)) unexplained(`${id} was removed`);
  for (const section of COMPARED_SECTIONS) {
    if (sectionText(prd, section) !== sectionText(previous, section) && !claimed.sections.has(section)) unexplained(`${section} changed`);
  }
  return findings;
}
