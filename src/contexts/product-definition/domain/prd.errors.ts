import { DomainError } from '../../../shared/kernel/domain-error';

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
