import { type AuthoredPrd, authoredPrdSchema } from '../src/contexts/product-definition/contracts';
import { checkedAssessment } from '../src/contexts/product-definition/application/task-polling/checked-assessment';
import { renderQuestion } from '../src/contexts/product-definition/domain/clarification';
import { checkGrounding, type GroundingContext } from '../src/contexts/product-definition/domain/grounding';
import { UngroundedPrdError } from '../src/contexts/product-definition/domain/prd.errors';
import {
  type AgentUsage,
  type Assessment,
  type AssessmentInput,
  CLARIFICATION_FIELDS,
  type ClarificationField,
  type ClarifyingQuestion,
  type ProductManagerAgent,
} from '../src/contexts/product-definition/domain/product-manager-agent';
import type { ClarificationEntry } from '../src/contexts/product-definition/domain/product-request';
import type { Logger } from '../src/shared/logging/logger';
import type { EvalCase } from './eval-case';
import {
  addFindingCounts,
  countFindings,
  type Decision,
  type DecisionScore,
  type FactScore,
  type FindingCounts,
  isSpecific,
  prdTexts,
  scoreDecisions,
  scoreFacts,
  share,
  type Share,
} from './metrics';

export const DONT_KNOW = "I don't know";

/** How a case ended: a PRD, a give-up, a draft refused after its repair, or an error. */
export type CaseEnd = 'prd' | 'give-up' | 'refused' | 'error';

export interface AskedQuestion {
  readonly round: number;
  readonly field: ClarificationField;
  readonly question: string;
  readonly specific: boolean;
  readonly answer: string;
}

export interface CaseResult {
  readonly id: string;
  readonly domain: string;
  readonly expected: 'clarify' | 'prd';
  readonly decided: Decision;
  readonly end: CaseEnd;
  /** Rounds of questions asked. */
  readonly rounds: number;
  readonly questions: readonly AskedQuestion[];
  /** Null unless the case ended with a PRD. */
  readonly facts: FactScore | null;
  /** Grounding findings on the PRD the case ended with (the service refuses any, so this should stay empty). */
  readonly finalFindings: FindingCounts;
  /** Grounding findings on every draft the agent returned, before any repair. */
  readonly draftFindings: FindingCounts;
  /** Findings that remained when the repaired draft was refused (`UngroundedPrdError`). */
  readonly refusalFindings: FindingCounts;
  readonly repairs: number;
  /** Drafts the agent returned outside the PRD schema. */
  readonly malformedDrafts: number;
  /** Per follow-up field whose vague answer was given with a round to spare: was it asked again? */
  readonly followUps: readonly { readonly field: ClarificationField; readonly askedAgain: boolean }[];
  readonly detail?: string;
  readonly prd?: AuthoredPrd;
  readonly usage: { readonly calls: number; readonly tokensIn: number; readonly tokensOut: number; readonly callMs: number };
}

type RawCall = { readonly repair: boolean } & (
  { readonly kind: Assessment['kind']; readonly prd?: AuthoredPrd; readonly usage?: AgentUsage } | { readonly kind: 'threw' }
);

/** The agent as the service sees it, keeping a record of what each call returned before any check. */
function recording(agent: ProductManagerAgent): { agent: ProductManagerAgent; calls: RawCall[] } {
  const calls: RawCall[] = [];
  const recorder: ProductManagerAgent = {
    kind: agent.kind,
    assess: async (input) => {
      const repair = input.repair !== undefined;
      try {
        const result = await agent.assess(input);
        calls.push({ repair, kind: result.kind, ...(result.kind === 'prd' ? { prd: result.prd } : {}), ...(result.usage ? { usage: result.usage } : {}) });
        return result;
      } catch (error) {
        calls.push({ repair, kind: 'threw' });
        throw error;
      }
    },
  };
  return { agent: recorder, calls };
}

function decisionOf(call: RawCall | undefined): Decision {
  switch (call?.kind) {
    case 'questions':
      return 'clarify';
    case 'prd':
      return 'prd';
    case 'give-up':
      return 'give-up';
    case 'threw':
    case undefined:
      return 'error';
  }
}

function isWellFormed(question: unknown): question is ClarifyingQuestion {
  if (typeof question !== 'object' || question === null) return false;
  const { field, question: text, why } = question as Record<string, unknown>;
  return typeof field === 'string' && (CLARIFICATION_FIELDS as readonly string[]).includes(field) && typeof text === 'string' && typeof why === 'string';
}

/** The requester's n-th answer (from 0) about a field; past the last, the last again. */
export function answerFor(evalCase: EvalCase, field: ClarificationField, times: number): string {
  const answer = evalCase.answers[field];
  if (answer === undefined) return DONT_KNOW;
  if (typeof answer === 'string') return answer;
  return answer[Math.min(times, answer.length - 1)] ?? DONT_KNOW;
}

export interface RunOptions {
  readonly maxClarificationRounds: number;
  readonly logger: Logger;
}

/**
 * One case as the service would run it: each round through `checkedAssessment`; questions are
 * answered from the case and rendered into the clarification log the way Task Management stores
 * them, until a PRD, a give-up, or a failure.
 */
export async function runCase(agent: ProductManagerAgent, evalCase: EvalCase, options: RunOptions): Promise<CaseResult> {
  const log: ClarificationEntry[] = [];
  const questions: AskedQuestion[] = [];
  const timesAsked = new Map<ClarificationField, number>();
  const usage = { calls: 0, tokensIn: 0, tokensOut: 0, callMs: 0 };
  let draftFindings: FindingCounts = {};
  let refusalFindings: FindingCounts = {};
  let repairs = 0;
  let malformedDrafts = 0;
  let decided: Decision | undefined;
  let rounds = 0;
  let end: CaseEnd = 'error';
  let detail: string | undefined;
  let prd: AuthoredPrd | undefined;

  // The policy refuses questions at the limit, so this ends; the bound is only a guard.
  for (let attempt = 0; attempt <= options.maxClarificationRounds + 1; attempt += 1) {
    const input: AssessmentInput = {
      taskId: evalCase.id,
      title: evalCase.title,
      description: evalCase.description,
      priority: evalCase.priority,
      clarificationLog: [...log],
      feedback: [],
      clarificationRounds: rounds,
      maxClarificationRounds: options.maxClarificationRounds,
    };
    const context: GroundingContext = { title: input.title, description: input.description, clarificationLog: input.clarificationLog, feedback: [] };
    const recorder = recording(agent);
    let assessment: Assessment | undefined;
    let failure: unknown;
    try {
      assessment = await checkedAssessment(recorder.agent, input, options.logger);
    } catch (error) {
      failure = error;
    }
    decided ??= decisionOf(recorder.calls[0]);
    repairs += recorder.calls.filter((c) => c.repair).length;
    for (const call of recorder.calls) {
      if (call.kind !== 'prd' || !call.prd) continue;
      // A draft outside the schema has no findings to count: it is counted as malformed.
      if (authoredPrdSchema.safeParse(call.prd).success) draftFindings = addFindingCounts(draftFindings, countFindings(checkGrounding(call.prd, context)));
      else malformedDrafts += 1;
    }
    // Every call counts, the refused and the repaired ones too.
    for (const call of recorder.calls) {
      if (call.kind === 'threw' || !call.usage) continue;
      usage.calls += call.usage.calls;
      usage.tokensIn += call.usage.tokensIn;
      usage.tokensOut += call.usage.tokensOut;
      usage.callMs += call.usage.callMs;
    }
    if (failure !== undefined || assessment === undefined) {
      if (failure instanceof UngroundedPrdError) {
        end = 'refused';
        refusalFindings = countFindings(failure.findings);
      } else end = 'error';
      detail = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
      break;
    }
    if (assessment.kind === 'prd') {
      const valid = authoredPrdSchema.safeParse(assessment.prd);
      if (!valid.success) {
        end = 'error';
        detail = `malformed PRD: ${valid.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`;
        break;
      }
      end = 'prd';
      prd = assessment.prd;
      break;
    }
    if (assessment.kind === 'give-up') {
      end = 'give-up';
      detail = assessment.reason;
      break;
    }
    // The port's types bind a compiled agent, not what it returns at run time: a malformed question ends the case, not the run.
    const asked: readonly unknown[] = assessment.questions;
    const malformed = asked.findIndex((x) => !isWellFormed(x));
    if (malformed >= 0) {
      end = 'error';
      detail = `malformed question: ${JSON.stringify(asked[malformed])}`;
      break;
    }
    rounds += 1;
    for (const question of assessment.questions) {
      const times = timesAsked.get(question.field) ?? 0;
      timesAsked.set(question.field, times + 1);
      const answer = answerFor(evalCase, question.field, times);
      questions.push({ round: rounds, field: question.field, question: question.question, specific: isSpecific(question.field, evalCase.lacks), answer });
      log.push({ question: renderQuestion(question), answer });
    }
  }

  const finalContext: GroundingContext = { title: evalCase.title, description: evalCase.description, clarificationLog: log, feedback: [] };
  const followUps = evalCase.followUp.flatMap((field) => {
    const first = questions.find((q) => q.field === field);
    // The vague answer was never given, or was given in the last round allowed: nothing to judge.
    if (!first || first.round >= options.maxClarificationRounds) return [];
    return [{ field, askedAgain: questions.some((q) => q.field === field && q.round > first.round) }];
  });
  return {
    id: evalCase.id,
    domain: evalCase.domain,
    expected: evalCase.expected,
    decided: decided ?? 'error',
    end,
    rounds,
    questions,
    facts: prd ? scoreFacts(evalCase.facts, prdTexts(prd)) : null,
    finalFindings: prd ? countFindings(checkGrounding(prd, finalContext)) : {},
    draftFindings,
    refusalFindings,
    repairs,
    malformedDrafts,
    followUps,
    ...(detail !== undefined ? { detail } : {}),
    ...(prd ? { prd } : {}),
    usage,
  };
}

export interface EvalSummary {
  readonly cases: number;
  readonly expected: { readonly clarify: number; readonly prd: number };
  readonly decisions: DecisionScore;
  /** Questions whose field the request really lacks, over all questions asked. */
  readonly specificQuestions: Share;
  /** Lacking fields the agent asked about in some round, over the lacking fields of clarify cases. */
  readonly lackingFieldsAsked: Share;
  /** Facts found in the final PRDs, over the facts of the cases that reached one. */
  readonly factRecall: Share & { readonly cases: number };
  /** Vague answers the agent followed up on in the next round. */
  readonly followUps: Share;
  readonly findings: {
    readonly final: FindingCounts;
    readonly drafts: FindingCounts;
    readonly refusals: number;
    readonly refusalFindings: FindingCounts;
    readonly repairs: number;
    readonly malformedDrafts: number;
  };
  readonly ends: Readonly<Record<CaseEnd, number>>;
  readonly usage: { readonly calls: number; readonly tokensIn: number; readonly tokensOut: number; readonly callMs: number };
}

export function summarise(results: readonly CaseResult[], cases: readonly EvalCase[]): EvalSummary {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const questions = results.flatMap((r) => r.questions);
  let lacking = 0;
  let lackingAsked = 0;
  for (const r of results) {
    const lacks = byId.get(r.id)?.lacks ?? [];
    if (r.expected !== 'clarify') continue;
    lacking += lacks.length;
    lackingAsked += lacks.filter((field) => r.questions.some((q) => q.field === field)).length;
  }
  const withPrd = results.flatMap((r) => (r.facts ? [r.facts] : []));
  const followUps = results.flatMap((r) => r.followUps);
  const ends: Record<CaseEnd, number> = { prd: 0, 'give-up': 0, refused: 0, error: 0 };
  for (const r of results) ends[r.end] += 1;
  return {
    cases: results.length,
    expected: { clarify: results.filter((r) => r.expected === 'clarify').length, prd: results.filter((r) => r.expected === 'prd').length },
    decisions: scoreDecisions(results),
    specificQuestions: share(questions.filter((q) => q.specific).length, questions.length),
    lackingFieldsAsked: share(lackingAsked, lacking),
    factRecall: {
      ...share(
        withPrd.reduce((n, f) => n + f.found, 0),
        withPrd.reduce((n, f) => n + f.total, 0),
      ),
      cases: withPrd.length,
    },
    followUps: share(followUps.filter((f) => f.askedAgain).length, followUps.length),
    findings: {
      final: addFindingCounts(...results.map((r) => r.finalFindings)),
      drafts: addFindingCounts(...results.map((r) => r.draftFindings)),
      refusals: ends.refused,
      refusalFindings: addFindingCounts(...results.map((r) => r.refusalFindings)),
      repairs: results.reduce((n, r) => n + r.repairs, 0),
      malformedDrafts: results.reduce((n, r) => n + r.malformedDrafts, 0),
    },
    ends,
    usage: {
      calls: results.reduce((n, r) => n + r.usage.calls, 0),
      tokensIn: results.reduce((n, r) => n + r.usage.tokensIn, 0),
      tokensOut: results.reduce((n, r) => n + r.usage.tokensOut, 0),
      callMs: results.reduce((n, r) => n + r.usage.callMs, 0),
    },
  };
}

/** A case the harness itself could not finish (a bug, or an agent too broken to score): an error, not a lost run. */
export function failedCase(evalCase: EvalCase, error: unknown): CaseResult {
  return {
    id: evalCase.id,
    domain: evalCase.domain,
    expected: evalCase.expected,
    decided: 'error',
    end: 'error',
    rounds: 0,
    questions: [],
    facts: null,
    finalFindings: {},
    draftFindings: {},
    refusalFindings: {},
    repairs: 0,
    malformedDrafts: 0,
    followUps: [],
    detail: `harness: ${error instanceof Error ? error.message : String(error)}`,
    usage: { calls: 0, tokensIn: 0, tokensOut: 0, callMs: 0 },
  };
}
