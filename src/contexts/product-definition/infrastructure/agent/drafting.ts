import type { AuthoredPrd, PrdRequirement, PrdSource, SourcedItem } from '../../contracts';
import type { Gap } from './questions';
import {
  audienceOf,
  type Capability,
  cite,
  criterionStatements,
  ESTIMATE,
  isNonGoal,
  isQuestion,
  isRisk,
  outcomeStatements,
  problemStatements,
  purposeOf,
  type Reading,
  requirementStatements,
  rolesIn,
  type Statement,
  targetStatements,
} from './reading';
import { isNonFunctional, nextId, requirement } from './requirements';
import { capitalise, clip, excerpt, meaningfulWords, normalised, withoutFinalStop } from './text';

/** A problem that is somebody's request: met when the PRD ships, not something to stop. */
const DEMAND = /\b(?:asked for|asking for|most requested|requested|keeps? asking)\b/i;
const item = (text: string, sources: PrdSource[]): SourcedItem => ({ text: capitalise(clip(withoutFinalStop(text))), sources });
const fromStatement = (s: Statement): SourcedItem => item(s.text, [cite(s, clip(s.text, 2_000))]);

function distinct(statements: readonly Statement[]): Statement[] {
  const seen = new Set<string>();
  return statements.filter((s) => {
    const key = normalised(s.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** "Account managers can export usage reports": the capability as a statement about its user. */
function capabilityStatement(capability: Capability, role: string | undefined, problem: Statement | undefined): string {
  if (capability.iWant.startsWith('to ')) return `${capitalise(role ?? 'users')} can ${capability.iWant.slice(3)}`;
  const about = problem ? `: ${withoutFinalStop(problem.text).charAt(0).toLowerCase()}${withoutFinalStop(problem.text).slice(1)}` : '';
  return `${capitalise(capability.quote)}${about}`;
}

/**
 * The sentences of the description and the usable answers that no section drew on: the PRD places
 * each of them (an estimate of today in the problem, a question as an open question, anything else
 * as a requirement) instead of dropping what the requester wrote. The audience's own statement,
 * and a sentence with fewer than two meaningful words besides the title's ("Parcel tracking page"
 * under "Parcel tracking"), are not left over.
 */
function leftoverStatements(reading: Reading, used: readonly Statement[]): Statement[] {
  const taken = new Set(used.map((s) => normalised(s.text)));
  const titleWords = new Set(reading.statements.filter((s) => s.fromTitle).flatMap((s) => meaningfulWords(s.text)));
  return reading.statements.filter(
    (s) =>
      !s.fromTitle &&
      s.stated !== 'audience' &&
      !taken.has(normalised(s.text)) &&
      // Two meaningful words besides the title's: "Parcel tracking page" under "Parcel tracking" restates it.
      meaningfulWords(s.text).filter((w) => !titleWords.has(w)).length >= 2,
  );
}

/** Statements as the problem section writes them: each a sentence of its own. */
const asSentences = (statements: readonly Statement[]): string => statements.map((s) => `${capitalise(withoutFinalStop(s.text))}.`).join(' ');

/** The question asked whenever the requester gave no measurable target. */
export function measurableTargetQuestion(capability: Capability): SourcedItem {
  return {
    text: `What measurable target should "${excerpt(capability.quote)}" meet: which time, count or rate, from what to what, shows that it worked?`,
    sources: [cite(capability.statement, capability.quote)],
  };
}
export const MEASURABLE_TARGET_QUESTION = /^What measurable target should /;

/**
 * The first version: every statement is a sentence (or the words) of the request or an answer,
 * cited; sections the request says nothing about stay empty; what is still missing is an open question.
 */
/** At most two more roles named in the audience's own statement, each with the words that name it. */
function otherRoles(audience: ReturnType<typeof audienceOf>): Array<{ role: string; source: PrdSource }> {
  if (!audience) return [];
  const seen = new Set([normalised(audience.role)]);
  const others: Array<{ role: string; source: PrdSource }> = [];
  for (const role of rolesIn(audience.statement.text)) {
    const key = normalised(role);
    if ([...seen].some((known) => known.includes(key) || key.includes(known))) continue;
    seen.add(key);
    others.push({ role, source: cite(audience.statement, role) });
  }
  return others.slice(0, 2);
}

export function draftPrd(title: string, reading: Reading, capability: Capability, open: readonly Gap[]): AuthoredPrd {
  const audience = audienceOf(reading);
  const problems = distinct(problemStatements(reading));
  const outcomes = distinct(outcomeStatements(reading));
  const targets = distinct(targetStatements(reading));
  const assumptions: SourcedItem[] = [];

  const nonGoals = distinct(reading.statements.filter((s) => !s.fromTitle && isNonGoal(s)));
  const risks = distinct(reading.statements.filter((s) => !s.fromTitle && isRisk(s)));
  const criteriaStatements = distinct(criterionStatements(reading));
  const asRequirements = requirementStatements(reading);
  const leftover = leftoverStatements(reading, [
    ...problems,
    ...outcomes,
    ...targets,
    ...asRequirements,
    ...criteriaStatements,
    ...nonGoals,
    ...risks,
    // A statement that only mentions the role ("Developers on the Starter plan get 100,000 calls")
    // still says more than who it is for.
    ...(audience?.statement.stated === 'audience' ? [audience.statement] : []),
  ]);
  const asked = leftover.filter((s) => isQuestion(s.text));
  const context = leftover.filter((s) => !isQuestion(s.text) && ESTIMATE.test(s.text));
  // What the request asks for in so many words, and every other sentence it states about the
  // product ("A 'Notify me' button takes an email address"), in the request's order.
  const described = new Set([...asRequirements, ...leftover.filter((s) => !asked.includes(s) && !context.includes(s))]);

  const requirements: PrdRequirement[] = [];
  for (const statement of distinct(reading.statements.filter((s) => described.has(s)))) {
    const prefix = isNonFunctional(statement.text) ? 'NFR' : 'FR';
    requirements.push(
      requirement(
        nextId(
          prefix,
          requirements.map((r) => r.id),
        ),
        statement.text,
        [cite(statement, clip(statement.text, 2_000))],
        statement.priority,
      ),
    );
  }
  const problem = problems[0];
  const capabilitySource = cite(capability.statement, capability.quote);
  const audienceSource = audience ? [cite(audience.statement, audience.quote)] : [];
  const capabilitySources = [capabilitySource, ...audienceSource, ...(problem && !capability.iWant.startsWith('to ') ? [cite(problem)] : [])];
  const wanted = capabilityStatement(capability, audience?.role, problem);
  if (!requirements.some((r) => r.id.startsWith('FR-'))) {
    requirements.push(
      requirement(
        nextId(
          'FR',
          requirements.map((r) => r.id),
        ),
        wanted,
        capabilitySources,
      ),
    );
  }
  const functional = requirements.filter((r) => r.id.startsWith('FR-'));

  let asA = audience?.role;
  const storySources: PrdSource[] = [...audienceSource, capabilitySource];
  if (!asA) {
    asA = 'user';
    const reason = 'The request and the answers name no role or team, so the story is written for any user.';
    storySources.push({ kind: 'assumption', reason });
    assumptions.push({
      text: 'Anyone who uses this part of the product is a user of it; no narrower group was named',
      sources: [{ kind: 'assumption', reason }],
    });
  }
  const outcome = outcomes[0];
  let soThat: string;
  if (outcome) {
    soThat = purposeOf(outcome);
    storySources.push(cite(outcome));
  } else if (problem) {
    const why = `${withoutFinalStop(problem.text).charAt(0).toLowerCase()}${withoutFinalStop(problem.text).slice(1)}`;
    // A request someone made is met, not made to stop ("our biggest customer asked for an audit log").
    soThat = DEMAND.test(problem.text) ? `the request is met: ${why}` : `this no longer happens: ${why}`;
    const reason = 'The request states a problem but no outcome, so the story assumes the outcome is that the problem goes away.';
    storySources.push(cite(problem), { kind: 'assumption', reason });
    assumptions.push({
      text: 'The intended outcome is that the stated problem goes away; no other outcome was named',
      sources: [cite(problem), { kind: 'assumption', reason }],
    });
  } else {
    soThat = 'what I asked for is available';
    storySources.push({ kind: 'assumption', reason: 'The request states neither a problem nor an outcome.' });
  }

  const criteria = criteriaStatements.map(fromStatement);
  const acceptanceCriteria =
    criteria.length > 0
      ? criteria
      : functional.length > 0 && functional.every((r) => r.sources.some((s) => s.kind !== 'assumption'))
        ? functional.map((r) => ({ text: r.description, sources: r.sources }))
        : [item(wanted, capabilitySources)];

  const successMetrics = targets.map(fromStatement);
  const openQuestions: SourcedItem[] = [
    ...asked.map(fromStatement).map((q) => ({ ...q, text: `${q.text}?` })),
    ...open.map((gap) => ({ text: gap.question.question, sources: [...gap.quoted] })),
  ];
  if (successMetrics.length === 0) openQuestions.push(measurableTargetQuestion(capability));

  return {
    title: clip(title, 200),
    problem: clip(
      problems.length > 0
        ? asSentences(reading.statements.filter((s) => problems.includes(s) || context.includes(s)))
        : [`Not stated in the request ("${excerpt(title)}") or the answers.`, asSentences(context)].filter(Boolean).join(' '),
      5_000,
    ),
    goals: outcomes.length > 0 ? outcomes.map(fromStatement) : targets.length > 0 ? successMetrics : [item(wanted, capabilitySources)],
    nonGoals: nonGoals.map(fromStatement),
    userStories: [
      { asA: clip(asA, 200), iWant: clip(capability.iWant, 500), soThat: clip(soThat, 500), sources: storySources, acceptanceCriteria },
      // Other roles the statement naming the audience lists ("owners, and their accountants") get their own story.
      ...otherRoles(audience).map((role) => ({
        asA: clip(role.role, 200),
        iWant: clip(capability.iWant, 500),
        soThat: clip(soThat, 500),
        sources: [role.source, ...storySources.filter((source) => source !== audienceSource[0])],
        acceptanceCriteria,
      })),
    ],
    functionalRequirements: functional,
    nonFunctionalRequirements: requirements.filter((r) => r.id.startsWith('NFR-')),
    assumptions,
    risks: risks.map(fromStatement),
    successMetrics,
    openQuestions,
    changeLog: [],
  };
}
