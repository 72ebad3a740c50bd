import { DomainError } from '../../../shared/kernel/domain-error';
import { RetryableError } from '../../../shared/kernel/errors';
import type { GroundingFinding } from './grounding';

/** A PRD document that does not have what every PRD must have (the published schema). */
export class InvalidPrdDocumentError extends DomainError {
  readonly code = 'prd.invalid-document';
  constructor(
    readonly taskId: string,
    readonly issues: readonly string[],
  ) {
    super(`PRD for task ${taskId} is incomplete: ${issues.join('; ')}`);
  }
}

/**
 * A draft the grounding check refused even after the agent's repair attempt. Retryable: another
 * attempt (a model samples anew) may pass; the attempt limit still bounds it.
 */
export class UngroundedPrdError extends RetryableError {
  override readonly name = 'UngroundedPrdError';
  constructor(
    readonly taskId: string,
    readonly findings: readonly GroundingFinding[],
  ) {
    super(
      `PRD draft for task ${taskId} failed the grounding check (${findings.length} finding(s)): ${findings
        .slice(0, 5)
        .map((f) => `${f.path}: ${f.message}`)
        .join('; ')}${findings.length > 5 ? '; …' : ''}`,
    );
  }
}

/** The agent broke the clarification policy (questions past the round limit, or none at all). */
export class ClarificationPolicyError extends RetryableError {
  override readonly name = 'ClarificationPolicyError';
}
