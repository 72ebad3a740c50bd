import type { AuthoredPrd, PrdChange, PrdRequirement, PrdSource, SourcedItem } from '../../contracts';
import type { FeedbackEntry } from '../../domain/product-request';
import { MEASURABLE_TARGET_QUESTION } from './drafting';
import { isMeasurable, isQuestion } from './reading';
import { isNonFunctional, mainClause, nextId, priorityOf, requirement, requirementText } from './requirements';
import { capitalise, clip, excerpt, meaningfulWords, normalised, sentences, sharedWords, withoutFinalStop } from './text';

/*
 * How one feedback sentence changes the next version (the first rule that fits):
 * - a question (ends with "?" or starts with what/how/why/who/when/…) → an open question;
 * - praise or a sign-off with no request in it ("looks good") → nothing;
 * - a removal ("drop X", "remove X", "X is out of scope", "we don't need X") → the requirements
 *   sharing the most words with X are removed and each becomes a non-goal ("Removed on review: …");
 *   with no match the sentence itself becomes a non-goal;
 * - a measurable target about metrics ("the success metric should be …", with a number) → a
 *   success metric (the "What measurable target…?" open question goes);
 * - a risk ("risk", "concern", "worried") → a risk;
 * - anything else is a change: the requirement sharing at least two meaningful words with it is
 *   rewritten from the sentence (keeping its id) when they share at least half of the requirement's
 *   meaningful words and the sentence does not say "also/add/another/new"; otherwise a new
 *   requirement is added (with its
 *   acceptance criterion); its priority comes from its own wording, P1 when it has none.
 * A feedback item none of whose sentences changed anything becomes an open question quoting it,
 * so no feedback is ever silently dropped.
 */
const REMOVAL =
  /\b(?:drop|remove|delete|leave out|take out|out of scope|not in scope|not needed|isn't needed|no need for|don't need|do not need|not necessary|unnecessary|skip)\b/i;
const REMOVAL_WORDS =
  /\b(?:please|drop|remove|delete|leave out|take out|is|are|out of scope|not in scope|not needed|isn't needed|no need for|we|don't need|do not need|not necessary|unnecessary|skip|the|requirement|for now|entirely|completely)\b/gi;
const PRAISE = /^(?:looks? (?:good|great|fine|ok)|lgtm|thanks?|thank you|great|good|nice|well done|overall (?:good|fine))\b/i;
const METRIC = /\b(?:metrics?|measur\w*|kpis?|targets?|success)\b/i;
/** Words that say a sentence asks for something more, not for a change of what is there. */
const ADDITION = /\b(?:also|add|additionally|another|new|as well|too|in addition)\b/i;
const RISK = /\b(?:risks?|risky|concern(?:ed|s)?|worr(?:y|ied)|danger\w*)\b/i;

interface Draft {
  functionalRequirements: PrdRequirement[];
  nonFunctionalRequirements: PrdRequirement[];
  goals: SourcedItem[];
  nonGoals: SourcedItem[];
  userStories: AuthoredPrd['userStories'];
  openQuestions: SourcedItem[];
  successMetrics: SourcedItem[];
  risks: SourcedItem[];
}

/** The requirements sharing the most meaningful words with `text` (at least `minimum`). */
function bestMatches(text: string, requirements: readonly PrdRequirement[], minimum: number): PrdRequirement[] {
  const scored = requirements.map((r) => ({ r, score: sharedWords(text, r.description) }));
  const best = Math.max(0, ...scored.map((s) => s.score));
  return best < minimum ? [] : scored.filter((s) => s.score === best).map((s) => s.r);
}

/** Applies the feedback items numbered from `firstIndex` on to `base`, one change-log entry each. */
export function applyFeedback(base: AuthoredPrd, feedback: readonly FeedbackEntry[], firstIndex: number): AuthoredPrd {
  const draft: Draft = {
    functionalRequirements: [...base.functionalRequirements],
    nonFunctionalRequirements: [...base.nonFunctionalRequirements],
    goals: [...base.goals],
    nonGoals: [...base.nonGoals],
    userStories: base.userStories.map((story) => ({ ...story, acceptanceCriteria: [...story.acceptanceCriteria] })),
    openQuestions: [...base.openQuestions],
    successMetrics: [...base.successMetrics],
    risks: [...base.risks],
  };
  const changeLog: PrdChange[] = [];
  const allIds = (): string[] => [...draft.functionalRequirements, ...draft.nonFunctionalRequirements].map((r) => r.id);
  const takenIds = new Set(allIds());

  feedback.forEach((entry, i) => {
    const index = i + 1;
    if (index < firstIndex) return;
    const change = { added: [] as string[], changed: [] as string[], removed: [] as string[], sections: new Set<string>(), notes: [] as string[] };
    const source = (quote: string): PrdSource => ({ kind: 'feedback', index, quote: clip(quote, 2_000) });
    const newId = (prefix: 'FR' | 'NFR'): string => {
      const id = nextId(prefix, [...takenIds]);
      takenIds.add(id);
      return id;
    };

    for (const sentence of sentences(entry.feedback)) {
      if (isQuestion(sentence)) {
        const text = `${withoutFinalStop(sentence)}?`;
        draft.openQuestions.push({ text: capitalise(clip(text)), sources: [source(sentence)] });
        change.sections.add('openQuestions');
        change.notes.push(`open question added: "${excerpt(sentence)}"`);
        continue;
      }
      if (PRAISE.test(sentence) || meaningfulWords(sentence).length === 0) continue;
      if (REMOVAL.test(sentence)) {
        const target = sentence.replace(REMOVAL_WORDS, ' ');
        const matches = bestMatches(target, [...draft.functionalRequirements, ...draft.nonFunctionalRequirements], meaningfulWords(target).length <= 2 ? 1 : 2);
        // A requirement listing more than the reviewer dropped ("Slack and email") stays; the non-goal says what went.
        const partly = (r: PrdRequirement): boolean =>
          /\b(?:and|or)\b|,/.test(r.description) && sharedWords(target, r.description) < meaningfulWords(r.description).length - 1;
        const whole = matches.filter((r) => !partly(r));
        const removable = whole.filter(
          (r) => !(r.id.startsWith('FR-') && draft.functionalRequirements.length <= whole.filter((m) => m.id.startsWith('FR-')).length),
        );
        for (const r of removable) {
          draft.functionalRequirements = draft.functionalRequirements.filter((x) => x.id !== r.id);
          draft.nonFunctionalRequirements = draft.nonFunctionalRequirements.filter((x) => x.id !== r.id);
          change.removed.push(r.id);
          for (const story of draft.userStories) {
            const kept = story.acceptanceCriteria.filter((c) => normalised(c.text) !== normalised(r.description));
            if (kept.length > 0 && kept.length < story.acceptanceCriteria.length) {
              story.acceptanceCriteria = kept;
              change.sections.add('userStories');
            }
          }
        }
        if (removable.length === 0) draft.nonGoals.push({ text: requirementText(sentence), sources: [source(sentence)] });
        for (const r of removable) draft.nonGoals.push({ text: clip(`Removed on review: ${r.description}`), sources: [source(sentence), ...r.sources] });
        change.sections.add('nonGoals');
        change.notes.push(removable.length > 0 ? `${removable.map((r) => r.id).join(', ')} removed; non-goal added` : `non-goal added: "${excerpt(sentence)}"`);
        continue;
      }
      if (isMeasurable(sentence) && METRIC.test(sentence)) {
        draft.successMetrics.push({ text: requirementText(sentence), sources: [source(sentence)] });
        change.sections.add('successMetrics');
        const before = draft.openQuestions.length;
        draft.openQuestions = draft.openQuestions.filter((q) => !MEASURABLE_TARGET_QUESTION.test(q.text));
        if (draft.openQuestions.length < before) change.sections.add('openQuestions');
        change.notes.push(`success metric added: "${excerpt(sentence)}"`);
        continue;
      }
      if (RISK.test(sentence)) {
        draft.risks.push({ text: requirementText(sentence), sources: [source(sentence)] });
        change.sections.add('risks');
        change.notes.push(`risk added: "${excerpt(sentence)}"`);
        continue;
      }
      const [match] = ADDITION.test(sentence) ? [] : bestMatches(sentence, [...draft.functionalRequirements, ...draft.nonFunctionalRequirements], 2);
      if (
        match &&
        sharedWords(sentence, match.description) * 2 >= meaningfulWords(match.description).length &&
        normalised(requirementText(sentence)) !== normalised(match.description)
      ) {
        const updated: PrdRequirement = {
          id: match.id,
          description: requirementText(sentence),
          priority: priorityOf(mainClause(sentence)) ?? match.priority,
          sources: [source(sentence)],
        };
        const replace = (list: PrdRequirement[]): PrdRequirement[] => list.map((r) => (r.id === match.id ? updated : r));
        draft.functionalRequirements = replace(draft.functionalRequirements);
        draft.nonFunctionalRequirements = replace(draft.nonFunctionalRequirements);
        if (!change.changed.includes(match.id) && !change.added.includes(match.id)) change.changed.push(match.id);
        change.notes.push(`${match.id} rewritten (${updated.priority})`);
        continue;
      }
      const added = requirement(newId(isNonFunctional(sentence) ? 'NFR' : 'FR'), sentence, [source(sentence)]);
      if (added.id.startsWith('FR-')) {
        draft.functionalRequirements.push(added);
        const story = draft.userStories[0];
        if (story) {
          story.acceptanceCriteria = [...story.acceptanceCriteria, { text: added.description, sources: added.sources }];
          change.sections.add('userStories');
        }
      } else draft.nonFunctionalRequirements.push(added);
      change.added.push(added.id);
      change.notes.push(`${added.id} added (${added.priority})`);
    }

    if (change.added.length + change.changed.length + change.removed.length + change.sections.size === 0) {
      draft.openQuestions.push({
        text: `How should this review feedback change the PRD: "${excerpt(entry.feedback, 30)}"?`,
        sources: [source(entry.feedback)],
      });
      change.sections.add('openQuestions');
      change.notes.push('no change could be read from it; kept as an open question');
    }
    changeLog.push({
      feedback: index,
      summary: clip(`Feedback ${index}: ${change.notes.join('; ')}.`),
      added: change.added,
      changed: change.changed,
      removed: change.removed,
      sections: [...change.sections],
    });
  });

  return { ...base, ...draft, changeLog };
}
