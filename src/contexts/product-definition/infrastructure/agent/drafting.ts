import type { AuthoredPrd, PrdRequirement, PrdSource, SourcedItem } from '../../contracts';
import type { Gap } from './questions';
import {
  audienceOf,
  type Capability,
  cite,
  criterionStatements,
  isNonGoal,
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
import { capitalise, clip, excerpt, normalised, withoutFinalStop } from './text';

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

  const requirements: PrdRequirement[] = [];
  for (const statement of distinct(requirementStatements(reading))) {
    const prefix = isNonFunctional(statement.text) ? 'NFR' : 'FR';
    requirements.push(
      requirement(
        nextId(
          prefix,
          requirements.map((r) => r.id),
        ),
        statement.text,
        [cite(statement, clip(statement.text, 2_000))],
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
    soThat = `this no longer happens: ${withoutFinalStop(problem.text).charAt(0).toLowerCase()}${withoutFinalStop(problem.text).slice(1)}`;
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

  const criteria = distinct(criterionStatements(reading)).map(fromStatement);
  const acceptanceCriteria =
    criteria.length > 0
      ? criteria
      : functional.length > 0 && functional.every((r) => r.sources.some((s) => s.kind !== 'assumption'))
        ? functional.map((r) => ({ text: r.description, sources: r.sources }))
        : [item(wanted, capabilitySources)];

  const successMetrics = targets.map(fromStatement);
  const openQuestions: SourcedItem[] = open.map((gap) => ({ text: gap.question.question, sources: [...gap.quoted] }));
  if (successMetrics.length === 0) openQuestions.push(measurableTargetQuestion(capability));

  return {
    title: clip(title, 200),
    problem:
      problems.length > 0
        ? clip(problems.map((s) => `${capitalise(withoutFinalStop(s.text))}.`).join(' '), 5_000)
        : `Not stated in the request ("${excerpt(title)}") or the answers.`,
    goals: outcomes.length > 0 ? outcomes.map(fromStatement) : targets.length > 0 ? successMetrics : [item(wanted, capabilitySources)],
    nonGoals: distinct(reading.statements.filter((s) => !s.fromTitle && isNonGoal(s))).map(fromStatement),
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
    risks: distinct(reading.statements.filter((s) => !s.fromTitle && isRisk(s))).map(fromStatement),
    successMetrics,
    openQuestions,
    changeLog: [],
  };
}
