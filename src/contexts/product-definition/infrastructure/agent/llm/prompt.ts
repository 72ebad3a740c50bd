import { fieldOfQuestion } from '../../../domain/clarification';
import { COMPARED_SECTIONS } from '../../../domain/grounding';
import { MAX_QUESTIONS_PER_ROUND, type AssessmentInput } from '../../../domain/product-manager-agent';

/**
 * Recorded on every PRD version the LLM agent writes (`generatedBy.promptVersion`): change it
 * whenever the instructions below change meaning, so a version can be traced to its prompt.
 */
export const PROMPT_VERSION = 'llm/2';

const SYSTEM = `You are the product manager of a team. You read one feature request and either ask the requester a few clarifying questions or write the product requirements document (PRD). You reply with one JSON object that matches the given schema, and nothing else.

DECISION
- "questions": only when something blocks a useful PRD and no source (request, answers, feedback) says it. At most ${MAX_QUESTIONS_PER_ROUND} questions. Each names its field (problem, audience, outcome, acceptanceCriteria, constraints, scope), asks about this request's specific gap in its own words (not a generic template), and says in "why" what in this PRD depends on the answer.
- Never ask again what an answer already covers. If an answer is vague or one word ("yes", "soon", "users"), you may ask one sharper follow-up about that field, but only while rounds remain.
- When the round limit is reached, or when a reviewer has given feedback, do not ask: write the PRD, and put what is still unknown in "openQuestions".
- "give-up": only when the request has no usable content at all and you may not ask. Say why in "reason".
- Fill only the field of your decision ("questions", "prd" or "reason"); set the other two to null.

PROVENANCE (every item of the PRD: goals, nonGoals, user stories and their acceptance criteria, requirements, assumptions, risks, successMetrics, openQuestions)
- Give each item its "sources". A source is {"kind":"request","quote":…}, {"kind":"answer","index":n,"quote":…} for answer n, {"kind":"feedback","index":n,"quote":…} for feedback n, or {"kind":"assumption","reason":…}.
- A quote is copied exactly, word for word, from that source. Do not paraphrase inside a quote.
- Write a number, date, percentage or quantity only if a quoted source states it. Never invent targets: if the requester gave none, the success metric is an open question.
- What you infer without a source is an assumption: source it as {"kind":"assumption","reason":…} and list it under "assumptions" too. An assumption never supports a number.
- A question is never a requirement: an unresolved point goes to "openQuestions".

REVISIONS (when a previous PRD and feedback are given)
- Revise the previous PRD; do not start over. Keep the ids (FR-n, NFR-n) of requirements you keep; new requirements get new ids; never reuse a removed id.
- "changeLog" lists this version's changes only, relative to the previous PRD; do not copy earlier entries. Add one entry for each new feedback item (listed with the previous PRD): "feedback" is its number, "summary" says what you did, "added"/"changed"/"removed" list requirement ids, "sections" lists the other sections you changed, by these names: ${COMPARED_SECTIONS.join(', ')}. A change nobody asked for gets an entry with "feedback": null saying why.
- A reviewer's question you cannot answer from the sources becomes an open question (sourced to that feedback), not an invented answer.`;

function numbered(label: string, items: readonly string[]): string {
  return items.length === 0 ? `(no ${label}s)` : items.map((text, i) => `${label} ${i + 1}: ${text}`).join('\n');
}

/** The system instructions and the user message for one assessment. Pure: the same input gives the same prompt. */
export function promptFor(input: AssessmentInput): { readonly system: string; readonly prompt: string } {
  const roundsLeft = Math.max(0, input.maxClarificationRounds - input.clarificationRounds);
  const mayAsk = roundsLeft > 0 && input.feedback.length === 0;
  const answers = input.clarificationLog.map((entry) => {
    const field = fieldOfQuestion(entry.question);
    return `${field ? `[${field}] ` : ''}Q: ${entry.question}\nA: ${entry.answer}`;
  });
  const sections = [
    `REQUEST (source "request")\nTitle: ${input.title}\nPriority: ${input.priority}\nDescription:\n${input.description}`,
    `ANSWERS (source "answer", numbered from 1)\n${numbered('answer', answers)}`,
    `FEEDBACK FROM REVIEWERS (source "feedback", numbered from 1)\n${numbered(
      'feedback',
      input.feedback.map((entry) => `(on PRD version ${entry.prdVersion}) ${entry.feedback}`),
    )}`,
    `ROUNDS: ${input.clarificationRounds} of ${input.maxClarificationRounds} clarification rounds used. ${
      mayAsk
        ? `You may ask (${roundsLeft} round(s) left).`
        : input.feedback.length > 0
          ? 'Feedback was given: revise the PRD, do not ask.'
          : 'The limit is reached: write the PRD with open questions, do not ask.'
    }`,
  ];
  const previous = input.previousPrd;
  if (previous) {
    const { generatedBy: _generatedBy, originalRequest: _originalRequest, clarificationLog: _log, feedback: _feedback, ...authored } = previous;
    // New feedback is what came after the previous version was written, as the grounding check counts it.
    const open = input.feedback.map((_, i) => i + 1).filter((n) => n > previous.feedback.length);
    sections.push(`PREVIOUS PRD (revise it; new feedback: ${open.length ? open.map((n) => `feedback ${n}`).join(', ') : 'none'})\n${JSON.stringify(authored)}`);
  }
  if (input.repair) {
    sections.push(
      `YOUR PREVIOUS DRAFT WAS REFUSED by the grounding check. Fix every finding below and reply again with the whole PRD.\nFindings:\n${input.repair.findings
        .map((f) => `- ${f.path} (${f.code}): ${f.message}`)
        .join('\n')}\nDraft:\n${JSON.stringify(input.repair.draft)}`,
    );
  }
  return { system: SYSTEM, prompt: sections.join('\n\n') };
}
