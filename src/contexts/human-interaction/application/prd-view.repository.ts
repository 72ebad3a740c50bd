import type { PrdDocument } from '../../product-definition/contracts';

/** A drafted PRD version as this context keeps it, so approvers read exactly what they decide on. */
export interface PrdView {
  readonly taskId: string;
  readonly prdVersion: number;
  readonly document: PrdDocument;
  readonly draftedAt: Date;
}

export interface PrdViewRepository {
  /** A PRD version never changes once drafted, so a re-emitted event is simply ignored (false). */
  insert(prd: PrdView): Promise<boolean>;
  /** Every version of the task's PRD, oldest first. */
  list(taskId: string): Promise<PrdView[]>;
  /** One PRD version, without loading and parsing the task's other versions. */
  find(taskId: string, prdVersion: number): Promise<PrdView | undefined>;
  /** Whether one PRD version has arrived, without loading and parsing every document. */
  has(taskId: string, prdVersion: number): Promise<boolean>;
  /** The newest PRD version of each task that has one (tasks without a PRD are left out). */
  latestVersions(taskIds: readonly string[]): Promise<Map<string, number>>;
}
