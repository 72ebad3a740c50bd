import { AggregateRoot } from '../../../shared/kernel/aggregate-root';
import { type PrdDocument, prdDocumentSchema } from '../contracts';
import { InvalidPrdDocumentError } from './prd.errors';

export interface PrdVersion {
  readonly version: number;
  readonly document: PrdDocument;
  readonly basedOnTaskVersion: number;
  readonly createdAt: Date;
}

export interface PrdVersionDrafted {
  readonly type: 'PrdVersionDrafted';
  readonly taskId: string;
  readonly prd: PrdVersion;
}

/**
 * Every PRD version written for one task. Versions are never edited: rejection feedback produces
 * the next version (highest + 1), so a reviewer's decision always refers to a fixed document.
 */
export class Prd extends AggregateRoot<PrdVersionDrafted> {
  private readonly versions: PrdVersion[];
  /** The highest version already stored; later ones are new in this unit of work. */
  private savedUpTo: number;

  private constructor(
    readonly taskId: string,
    versions: readonly PrdVersion[],
  ) {
    super();
    this.versions = [...versions].sort((a, b) => a.version - b.version);
    this.savedUpTo = this.versions.at(-1)?.version ?? 0;
  }

  static empty(taskId: string): Prd {
    return new Prd(taskId, []);
  }

  static rehydrate(taskId: string, versions: readonly PrdVersion[]): Prd {
    return new Prd(taskId, versions);
  }

  get latest(): PrdVersion | undefined {
    return this.versions.at(-1);
  }

  get nextVersion(): number {
    return (this.latest?.version ?? 0) + 1;
  }

  version(version: number): PrdVersion | undefined {
    return this.versions.find((v) => v.version === version);
  }

  /** Versions not yet saved; the repository inserts exactly these. */
  get unsaved(): readonly PrdVersion[] {
    return this.versions.filter((v) => v.version > this.savedUpTo);
  }

  markSaved(): void {
    this.savedUpTo = this.latest?.version ?? 0;
  }

  draft(document: unknown, basedOnTaskVersion: number, at: Date): PrdVersion {
    const parsed = prdDocumentSchema.safeParse(document);
    if (!parsed.success) {
      throw new InvalidPrdDocumentError(
        this.taskId,
        parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'document'}: ${issue.message}`),
      );
    }
    const prd: PrdVersion = { version: this.nextVersion, document: parsed.data, basedOnTaskVersion, createdAt: at };
    this.versions.push(prd);
    this.record({ type: 'PrdVersionDrafted', taskId: this.taskId, prd });
    return prd;
  }
}

export interface PrdRepository {
  load(taskId: string): Promise<Prd>;
  /** Inserts the unsaved versions; a version someone else saved first is a concurrency conflict. */
  save(prd: Prd): Promise<void>;
}
