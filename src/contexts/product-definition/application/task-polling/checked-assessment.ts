import type { Logger } from '../../../../shared/logging/logger';
import { checkGrounding, type GroundingContext } from '../../domain/grounding';
import { ClarificationPolicyError, UngroundedPrdError } from '../../domain/prd.errors';
import { type AgentUsage, type Assessment, type AssessmentInput, MAX_QUESTIONS_PER_ROUND, type ProductManagerAgent } from '../../domain/product-manager-agent';

function addUsage(a: AgentUsage, b: AgentUsage): AgentUsage {
  return { ...b, tokensIn: a.tokensIn + b.tokensIn, tokensOut: a.tokensOut + b.tokensOut, calls: a.calls + b.calls, callMs: a.callMs + b.callMs };
}

function checkPolicy(input: AssessmentInput, assessment: Assessment): void {
  if (assessment.kind !== 'questions') return;
  if (assessment.questions.length === 0)
    throw new ClarificationPolicyError(`the agent asked no questions about task ${input.taskId}; it should have written the PRD`);
  if (assessment.questions.length > MAX_QUESTIONS_PER_ROUND) {
    throw new ClarificationPolicyError(
      `the agent asked ${assessment.questions.length} questions about task ${input.taskId}; at most ${MAX_QUESTIONS_PER_ROUND} a round`,
    );
  }
  if (input.clarificationRounds >= input.maxClarificationRounds) {
    throw new ClarificationPolicyError(
      `the agent asked again about task ${input.taskId} after ${input.clarificationRounds} round(s), the limit; it should have written the PRD with open questions`,
    );
  }
  if (input.feedback.length > 0)
    throw new ClarificationPolicyError(`the agent asked the requester about task ${input.taskId} after a reviewer's feedback; it should have revised the PRD`);
}

/**
 * Runs the agent and holds what it returns to the same rules whichever agent it is: the
 * clarification policy, and the grounding check on a PRD. A refused draft goes back to the agent
 * once with the findings; a second refusal is an `UngroundedPrdError` (the attempt is retried
 * like any other failure).
 */
export async function checkedAssessment(agent: ProductManagerAgent, input: AssessmentInput, logger: Logger): Promise<Assessment> {
  const first = await agent.assess(input);
  checkPolicy(input, first);
  if (first.kind !== 'prd') return first;
  const context: GroundingContext = {
    title: input.title,
    description: input.description,
    clarificationLog: input.clarificationLog,
    feedback: input.feedback,
    ...(input.previousPrd ? { previous: input.previousPrd } : {}),
  };
  const findings = checkGrounding(first.prd, context);
  if (findings.length === 0) return first;
  logger.warn(
    { taskId: input.taskId, agent: agent.kind, findings: findings.length, first: `${findings[0]?.path}: ${findings[0]?.message}` },
    'PRD draft refused by the grounding check; asking the agent for one repair',
  );
  const second = await agent.assess({ ...input, repair: { draft: first.prd, findings } });
  checkPolicy(input, second);
  const usage = second.usage ? addUsage(first.usage, second.usage) : first.usage;
  if (second.kind === 'prd') {
    const remaining = checkGrounding(second.prd, context);
    if (remaining.length > 0) throw new UngroundedPrdError(input.taskId, remaining);
  }
  return { ...second, usage };
}
