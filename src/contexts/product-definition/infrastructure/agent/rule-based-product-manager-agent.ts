import { performance } from 'node:perf_hooks';
import { injectable } from 'inversify';
import type { AuthoredPrd, PrdChange, PrdDocument, PrdRequirement } from '../../contracts';
import {
  type AgentUsage,
  type Assessment,
  type AssessmentInput,
  type ClarifyingQuestion,
  MAX_QUESTIONS_PER_ROUND,
  type ProductManagerAgent,
} from '../../domain/product-manager-agent';
import { draftPrd } from './drafting';
import { extrasOf, gapsOf } from './questions';
import { capabilityOf, read } from './reading';
import { applyFeedback } from './revision';
import { COMPARED_SECTIONS, sectionText } from '../../domain/grounding';
import { normalised } from './text';

/** An assessment before its usage is measured. */
type Decision =
  | { readonly kind: 'questions'; readonly questions: readonly ClarifyingQuestion[] }
  | { readonly kind: 'prd'; readonly prd: AuthoredPrd }
  | { readonly kind: 'give-up'; readonly reason: string };

/** Below this many distinct meaningful words in the request and the usable answers, there is nothing to write about. */
const MIN_CONTENT_WORDS = 3;

/**
 * The default product manager: no network, deterministic, explainable. It does not understand
 * language: it reads cues (labels such as "Problem:", role nouns, "so that", modal verbs, numbers
 * with units, question marks) and quotes the sentences they occur in. A request that says what it
 * needs in words it has no cue for is read as saying less than it does; one that uses a cue word in
 * another sense is read as saying more.
 *
 * Policy:
 * - It asks only about what blocks a useful PRD and has no source yet: the problem, who it is for,
 *   the outcome, and what would be checked to accept it (one requirement sentence restating the
 *   request is not something to check; a problem that only says something is wrong, "the app is
 *   too slow", is no problem statement). A missing outcome alone does not block once the problem
 *   and what to check are known. Scope and constraints never block: they are asked only in a round
 *   that asks anyway and has room, when nothing touches them, the scope first. At most three
 *   questions a round; each quotes the request's own words and names what is missing.
 * - It never asks again about a field already answered, except once when the answer was too vague
 *   to use (no number and fewer than two meaningful words: "faster", "yes"); a vague answer never
 *   becomes PRD content. "I don't know" / "not sure" gets no follow-up: it becomes an open question.
 * - Labelled or not, a request that states the problem, the audience, the outcome and something
 *   to check (a must/should/could or imperative sentence, a listed criterion, or a measurable
 *   target) gets its PRD at once. At `maxClarificationRounds` it writes the PRD with each
 *   remaining gap as an open question; once a reviewer has given feedback it only revises.
 * - The PRD quotes the words every statement rests on, and every sentence of the request and the
 *   usable answers lands in it (see drafting.ts: a sentence no section takes is a requirement, an
 *   estimate of today in the problem, or an open question when it asks one). Requirement
 *   priorities follow the label (Must:/Should:/Could:) or else the wording (must/shall/need to →
 *   P0, should → P1, could/may/nice to have → P2, unmarked → P1). Success
 *   metrics are only the measurable targets the requester gave; without one, "What measurable
 *   target…?" is an open question. Non-goals and risks are only what the request says; an
 *   assumption appears only where the agent assumed something (no audience or no outcome named).
 *   Each role the statement naming the audience lists gets its own user story (at most three).
 * - A revision starts from the previous version (requirement ids kept) and applies each new
 *   feedback item: a question becomes an open question, a removal removes the matching
 *   requirements and adds a non-goal, anything else changes the matching requirement or adds one
 *   (see revision.ts); each gets one change-log entry. A previous version with unsourced
 *   statements (written before sources existed) is rewritten from the request, the change logged.
 * - It gives up only when the request and the answers hold no usable content and it may ask no more.
 * - It has no use for a repair: its drafts pass the grounding check by construction, so a repair
 *   call returns the same draft again.
 */
@injectable()
export class RuleBasedProductManagerAgent implements ProductManagerAgent {
  readonly kind = 'rule-based';

  assess(input: AssessmentInput): Promise<Assessment> {
    const started = performance.now();
    const decision = this.decide(input);
    const usage: AgentUsage = {
      agent: 'rule-based',
      model: null,
      promptVersion: 'rule-based/2',
      tokensIn: 0,
      tokensOut: 0,
      calls: 0,
      callMs: performance.now() - started,
    };
    return Promise.resolve({ ...decision, usage });
  }

  private decide(input: AssessmentInput): Decision {
    const reading = read(input);
    if (input.previousPrd && sourced(input.previousPrd)) {
      return { kind: 'prd', prd: applyFeedback(authoredPart(input.previousPrd), input.feedback, input.previousPrd.feedback.length + 1) };
    }
    const gaps = gapsOf(reading);
    const mayAsk = input.feedback.length === 0 && input.clarificationRounds < input.maxClarificationRounds;
    const toAsk = [...gaps.filter((g) => g.state === 'follow-up'), ...gaps.filter((g) => g.state === 'ask')].slice(0, MAX_QUESTIONS_PER_ROUND);
    if (mayAsk && gaps.some((g) => g.state !== 'open' && g.blocking)) {
      const questions = [...toAsk.map((g) => g.question), ...extrasOf(reading)].slice(0, MAX_QUESTIONS_PER_ROUND);
      return { kind: 'questions', questions };
    }
    const capability = capabilityOf(reading);
    if (!capability || (reading.contentWords < MIN_CONTENT_WORDS && input.feedback.length === 0)) {
      return {
        kind: 'give-up',
        reason: `The request "${input.title}" has too little content to write a PRD from (${reading.contentWords} meaningful words after ${input.clarificationRounds} clarification round(s)), and no more questions may be asked.`,
      };
    }
    const draft = draftPrd(input.title, reading, capability, gaps);
    if (input.feedback.length === 0) return { kind: 'prd', prd: draft };
    // Feedback without a usable previous version: the fresh draft with all feedback applied,
    // and whatever differs from the previous version (if any) logged as regenerated.
    const revised = applyFeedback(draft, input.feedback, input.previousPrd ? input.previousPrd.feedback.length + 1 : 1);
    return { kind: 'prd', prd: input.previousPrd ? withRegenerationLogged(revised, input.previousPrd) : revised };
  }
}

function authoredPart(document: PrdDocument): AuthoredPrd {
  const { originalRequest: _request, clarificationLog: _log, feedback: _feedback, generatedBy: _by, ...authored } = document;
  return { ...authored, changeLog: [] };
}

/** Whether every statement of a stored version names a source (legacy versions do not). */
function sourced(prd: PrdDocument): boolean {
  const items = [
    ...prd.goals,
    ...prd.nonGoals,
    ...prd.assumptions,
    ...prd.risks,
    ...prd.successMetrics,
    ...prd.userStories.flatMap((s) => s.acceptanceCriteria),
  ];
  const requirements = [...prd.functionalRequirements, ...prd.nonFunctionalRequirements];
  return [...items, ...requirements, ...prd.userStories].every((entry) => entry.sources.length > 0);
}

/**
 * A version rewritten from the request: requirements keep the id of the previous version's
 * requirement with the same wording, and one change-log entry (`feedback: null`) accounts for
 * everything the feedback entries do not.
 */
function withRegenerationLogged(prd: AuthoredPrd, previous: PrdDocument): AuthoredPrd {
  const before = [...previous.functionalRequirements, ...previous.nonFunctionalRequirements];
  const byWording = new Map(before.map((r) => [`${r.id.split('-')[0] ?? ''}:${normalised(r.description)}`, r.id]));
  const used = new Set<string>();
  const taken = before.map((r) => r.id);
  const renamed = new Map<string, string>();
  const rename = (list: PrdRequirement[], prefix: 'FR' | 'NFR'): PrdRequirement[] =>
    list.map((r) => {
      const kept = byWording.get(`${prefix}:${normalised(r.description)}`);
      let id = kept && !used.has(kept) ? kept : undefined;
      if (!id) {
        const numbers = [...taken, ...used].filter((t) => t.startsWith(`${prefix}-`)).map((t) => Number(t.slice(prefix.length + 1)));
        id = `${prefix}-${Math.max(0, ...numbers) + 1}`;
      }
      used.add(id);
      renamed.set(r.id, id);
      return { ...r, id };
    });
  const functionalRequirements = rename(prd.functionalRequirements, 'FR');
  const nonFunctionalRequirements = rename(prd.nonFunctionalRequirements, 'NFR');
  const mapIds = (ids: readonly string[]): string[] => ids.map((id) => renamed.get(id) ?? id);
  const changeLog = prd.changeLog.map((c) => ({ ...c, added: mapIds(c.added), changed: mapIds(c.changed) }));
  const next: AuthoredPrd = { ...prd, functionalRequirements, nonFunctionalRequirements, changeLog };

  const claimed = new Set(changeLog.flatMap((c) => [...c.added, ...c.changed, ...c.removed]));
  const claimedSections = new Set(changeLog.flatMap((c) => c.sections));
  const after = new Map([...functionalRequirements, ...nonFunctionalRequirements].map((r) => [r.id, r]));
  const old = new Map(before.map((r) => [r.id, r]));
  const extra: PrdChange = {
    feedback: null,
    summary: 'Rewritten from the request and the answers: the previous version had statements without sources.',
    added: [],
    changed: [],
    removed: [],
    sections: [],
  };
  for (const [id, r] of after) {
    const was = old.get(id);
    if (claimed.has(id)) continue;
    if (!was) extra.added.push(id);
    else if (normalised(was.description) !== normalised(r.description) || was.priority !== r.priority) extra.changed.push(id);
  }
  for (const id of old.keys()) if (!after.has(id) && !claimed.has(id)) extra.removed.push(id);
  for (const section of COMPARED_SECTIONS)
    if (sectionText(next, section) !== sectionText(previous, section) && !claimedSections.has(section)) extra.sections.push(section);
  const changedSomething = extra.added.length + extra.changed.length + extra.removed.length + extra.sections.length > 0;
  return changedSomething ? { ...next, changeLog: [...changeLog, extra] } : next;
}
