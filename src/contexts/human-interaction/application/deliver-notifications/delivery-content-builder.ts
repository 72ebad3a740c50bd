import { inject, injectable } from 'inversify';
import { SHARED } from '../../../../shared/kernel/tokens';
import type { UnitOfWork } from '../../../../shared/persistence/unit-of-work';
import type { Notification } from '../../domain/notification';
import type { TaskView } from '../../domain/task-view';
import type { UserDirectory } from '../../domain/user';
import { HUMAN_INTERACTION } from '../../human-interaction.tokens';
import type { HumanInteractionRepositoryFactory } from '../repositories';
import { type DeliveryContent, headlineFor, summarisePrd } from './delivery-content';
import type { PublicLinks } from './public-links';
import { describeAlert } from '../alerts/alert-content';
import { isAlertNotification } from '../../domain/alert';

/** Why the task ended at `taskVersion` (FAILED or CANCELLED), from the view's history. */
function endReason(view: TaskView, taskVersion: number): string | undefined {
  const entry = view.snapshot?.history.find((t) => t.version === taskVersion);
  return entry && (entry.to === 'FAILED' || entry.to === 'CANCELLED') ? entry.reason : undefined;
}

/**
 * Gathers what a notification says from the read side (task view, PRD view) and signs its
 * action links. Reads outside any transaction: it runs between a claim and a send.
 */
@injectable()
export class DeliveryContentBuilder {
  constructor(
    @inject(SHARED.UnitOfWork) private readonly unitOfWork: UnitOfWork,
    @inject(HUMAN_INTERACTION.Repositories) private readonly repositories: HumanInteractionRepositoryFactory,
    @inject(HUMAN_INTERACTION.PublicLinks) private readonly links: PublicLinks,
    @inject(HUMAN_INTERACTION.UserDirectory) private readonly users: UserDirectory,
  ) {}

  /** Links need the public address, known once the service listens (or from PUBLIC_URL). */
  ready(): boolean {
    return this.links.ready();
  }

  async build(n: Notification): Promise<DeliveryContent> {
    const { view, prd, alert } = await this.unitOfWork.read(async (session) => {
      const { taskViews, prdViews, alerts } = this.repositories(session);
      const alert = isAlertNotification(n.kind) ? await alerts.findByNotification(n.id) : undefined;
      // An alert about no task (a context without a live worker) has no view to describe.
      if (n.taskId === null) return { view: undefined, prd: undefined, alert };
      const found = await taskViews.find(n.taskId);
      // The notification was created only once the view had caught up, so this is a broken invariant.
      if (!found) throw new Error(`task ${n.taskId} has no view to describe notification ${n.id}`);
      return { view: found, prd: n.prdVersion === null ? undefined : await prdViews.find(n.taskId, n.prdVersion), alert };
    });
    const described = alert ? describeAlert(alert, n.kind === 'alert-moved-on' || n.kind === 'alert-worker-back' ? 'resolved' : 'raised') : undefined;
    const { links, taskUrl } = this.links.of(n);
    return {
      notificationId: n.id,
      kind: n.kind,
      subject: n.subject,
      headline: described?.headline ?? headlineFor(n.kind, n.prdVersion, view && n.taskVersion !== null ? endReason(view, n.taskVersion) : undefined),
      recipientName: this.users.findById(n.recipientId)?.name ?? n.recipientId,
      task: view ? { taskId: view.taskId, title: view.title, description: view.description } : null,
      taskVersion: n.taskVersion,
      prdVersion: n.prdVersion,
      questions: n.questions ?? [],
      prd: prd ? summarisePrd(prd.prdVersion, prd.document) : null,
      links,
      taskUrl,
      ...(described ? { facts: described.facts } : {}),
    };
  }
}
