import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { Session, UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import type { TaskPriority, TaskStatus, Transition } from '../../../task-management/contracts';
import type { PrdDocument } from '../../../product-definition/contracts';
import { type Clarification, clarificationsOf } from '../../domain/clarifications';
import { PrdVersionNotFoundError, TaskNotFoundError } from '../../domain/human-interaction.errors';
import { assertCanSee, type TaskView } from '../../domain/task-view';
import type { User } from '../../domain/user';
import { diffPrdVersions, type PrdDiff } from '../prd-diff/prd-diff';
import { prdFileName, prdMarkdown } from '../prd-markdown';
import type { PrdView } from '../prd-view.repository';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';

export interface TaskSummary {
  readonly taskId: string;
  readonly title: string;
  readonly description: string;
  readonly status: TaskStatus;
  readonly version: number;
  readonly requesterId: string;
  readonly approverId: string;
  readonly priority: TaskPriority;
  readonly prdVersion: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TaskDetails {
  readonly task: TaskSummary;
  readonly history: readonly Transition[];
  readonly clarifications: readonly Clarification[];
  readonly prd: { readonly version: number; readonly document: PrdDocument } | null;
  readonly prdVersions: readonly number[];
}

/** A task as its page shows it: the details and what the shown PRD version changed from the one before it. */
export interface TaskPageDetails {
  readonly details: TaskDetails;
  /** The PRD version the page shows when none is asked for (the one the task points at); null before the first. */
  readonly defaultPrdVersion: number | null;
  /** Null while fewer than two versions exist (or the shown one is the first). */
  readonly changes: PrdDiff | null;
}

/** A PRD version as a Markdown file to download. */
export interface PrdMarkdownExport {
  readonly version: number;
  /** `<slug of the task title>-v<n>.md`. */
  readonly fileName: string;
  readonly markdown: string;
}

const LIST_LIMIT = 200;

function summaryOf(view: TaskView): TaskSummary {
  return {
    taskId: view.taskId,
    title: view.title,
    description: view.description,
    status: view.status,
    version: view.version,
    requesterId: view.requesterId,
    approverId: view.approverId,
    priority: view.priority,
    prdVersion: view.snapshot?.prdVersion ?? null,
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}

/** Read side: what a person may see of the tasks they take part in. */
@injectable()
export class TaskQueries {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
  ) {}

  getTask(user: User, taskId: string): Promise<TaskDetails> {
    return this.unitOfWork.read(async (session) => (await this.load(session, user, taskId)).details);
  }

  /** The task and, read in the same transaction, the diff of its shown PRD version from the previous one. */
  /**
   * The task page's content: the PRD version asked for (default: the one the task points at) and
   * what it changed from the one before it. An unknown version is a PrdVersionNotFoundError.
   */
  getTaskPage(user: User, taskId: string, version?: number): Promise<TaskPageDetails> {
    return this.unitOfWork.read(async (session) => {
      const { details: current, prds } = await this.load(session, user, taskId);
      const defaultPrdVersion = current.prd?.version ?? null;
      let details = current;
      if (version !== undefined && version !== defaultPrdVersion) {
        const asked = prds.find((p) => p.prdVersion === version);
        if (!asked) throw new PrdVersionNotFoundError(taskId, version);
        details = { ...current, prd: versionOf(asked) };
      }
      const shownAt = prds.findIndex((p) => p.prdVersion === details.prd?.version);
      const previous = shownAt > 0 ? prds[shownAt - 1] : undefined;
      const shown = prds[shownAt];
      return { details, defaultPrdVersion, changes: previous && shown ? diffPrdVersions(versionOf(previous), versionOf(shown)) : null };
    });
  }

  private async load(session: Session, user: User, taskId: string): Promise<{ details: TaskDetails; prds: PrdView[] }> {
    const { taskViews, prdViews } = this.repositories(session);
    const view = await taskViews.find(taskId);
    if (!view) throw new TaskNotFoundError(taskId);
    assertCanSee(view, user);
    const prds = await prdViews.list(taskId);
    return { details: detailsOf(view, prds), prds };
  }

  /** What changed between two stored PRD versions of a task (`from` < `to`, checked by the caller). */
  diffPrd(user: User, taskId: string, from: number, to: number): Promise<PrdDiff> {
    return this.unitOfWork.read(async (session) => {
      const { taskViews, prdViews } = this.repositories(session);
      const view = await taskViews.find(taskId);
      if (!view) throw new TaskNotFoundError(taskId);
      assertCanSee(view, user);
      const older = await prdViews.find(taskId, from);
      if (!older) throw new PrdVersionNotFoundError(taskId, from);
      const newer = await prdViews.find(taskId, to);
      if (!newer) throw new PrdVersionNotFoundError(taskId, to);
      return diffPrdVersions(versionOf(older), versionOf(newer));
    });
  }

  /** One PRD version (the newest stored one when `version` is undefined) as Markdown; same access rule as getTask. */
  exportPrd(user: User, taskId: string, version?: number): Promise<PrdMarkdownExport> {
    return this.unitOfWork.read(async (session) => {
      const { taskViews, prdViews } = this.repositories(session);
      const view = await taskViews.find(taskId);
      if (!view) throw new TaskNotFoundError(taskId);
      assertCanSee(view, user);
      const prd = version === undefined ? (await prdViews.list(taskId)).at(-1) : await prdViews.find(taskId, version);
      if (!prd) throw new PrdVersionNotFoundError(taskId, version);
      return { version: prd.prdVersion, fileName: prdFileName(view.title, prd.prdVersion), markdown: prdMarkdown(prd.prdVersion, prd.document) };
    });
  }

  async listTasks(user: User): Promise<TaskSummary[]> {
    const views = await this.unitOfWork.read((s) => this.repositories(s).taskViews.listFor(user, LIST_LIMIT));
    return views.map(summaryOf);
  }
}

const versionOf = (p: PrdView) => ({ version: p.prdVersion, document: p.document });

function detailsOf(view: TaskView, prds: readonly PrdView[]): TaskDetails {
  const history = view.snapshot?.history ?? [];
  // The PRD the task points at; until that version's event arrives, the newest one known.
  const wanted = view.snapshot?.prdVersion ?? null;
  const shown = prds.find((p) => p.prdVersion === wanted) ?? prds.at(-1);
  return {
    task: summaryOf(view),
    history,
    clarifications: clarificationsOf(history),
    prd: shown ? { version: shown.prdVersion, document: shown.document } : null,
    prdVersions: prds.map((p) => p.prdVersion),
  };
}
