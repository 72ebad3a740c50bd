import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { taskStatusSchema } from '../../../task-management/contracts';
import { execute } from '../../../../shared/persistence/sql';
import type { AlertRepository } from '../../application/alerts/alert.repository';
import { type Alert, ALERT_KINDS, type AlertPhase, type AlertResolution } from '../../domain/alert';

const TABLE = 'human_interaction.alerts';
const LINKS = 'human_interaction.alert_notifications';
const COLUMNS = [
  'id',
  'kind',
  'subject',
  'task_id',
  'task_version',
  'status',
  'facts',
  'raised_at',
  'resolved_at',
  'resolution',
  'redrive_requested_at',
  'redrive_requested_by',
];
const SELECT = COLUMNS.map((c) => `a.${c}`).join(', ');

const factsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('workflow-stalled'),
    inStatusSince: z.string(),
    thresholdMs: z.number(),
    stalledForMs: z.number(),
    detectedAt: z.string(),
    redriven: z.array(z.string()),
  }),
  z.object({ kind: z.literal('task-failed'), reason: z.string().nullable(), failedAt: z.string() }),
  z.object({
    kind: z.literal('no-live-worker'),
    context: z.string(),
    lastSeenAt: z.string().nullable(),
    lastInstance: z.string().nullable(),
    noneForMs: z.number(),
    detectedAt: z.string(),
  }),
]);

const rowSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  subject: z.string(),
  task_id: z.string().nullable(),
  task_version: z.number().int().nullable(),
  status: taskStatusSchema.nullable(),
  facts: factsSchema,
  raised_at: z.coerce.date(),
  resolved_at: z.coerce.date().nullable(),
  resolution: z
    .union([z.object({ status: taskStatusSchema, taskVersion: z.number().int() }), z.object({ instance: z.string(), startedAt: z.string() })])
    .nullable(),
  redrive_requested_at: z.coerce.date().nullable(),
  redrive_requested_by: z.string().nullable(),
});

function toAlert(row: unknown): Alert {
  const r = rowSchema.parse(row);
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    taskId: r.task_id,
    taskVersion: r.task_version,
    status: r.status,
    facts: r.facts,
    raisedAt: r.raised_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    redrive: r.redrive_requested_at && r.redrive_requested_by ? { at: r.redrive_requested_at, by: r.redrive_requested_by } : null,
  };
}

/** Parameterised SQL on the session's connection. */
export class PostgresAlertRepository implements AlertRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(alert: Alert): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `INSERT INTO ${TABLE} (id, kind, subject, task_id, task_version, status, facts, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT DO NOTHING RETURNING id`,
      [alert.id, alert.kind, alert.subject, alert.taskId, alert.taskVersion, alert.status, JSON.stringify(alert.facts), alert.raisedAt],
    );
    return rows.length === 1;
  }

  async lockOpen(subject: string): Promise<Alert[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT ${SELECT} FROM ${TABLE} a WHERE a.subject = $1 AND a.resolved_at IS NULL ORDER BY a.raised_at, a.id FOR UPDATE`,
      [subject],
    );
    return rows.map(toAlert);
  }

  async resolve(alertId: string, at: Date, resolution: AlertResolution): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET resolved_at = $2, resolution = $3::jsonb WHERE id = $1 AND resolved_at IS NULL RETURNING id`,
      [alertId, at, JSON.stringify(resolution)],
    );
    return rows.length === 1;
  }

  async linkNotification(notificationId: string, alertId: string, phase: AlertPhase, recipientId: string): Promise<void> {
    await execute(this.manager, `INSERT INTO ${LINKS} (notification_id, alert_id, phase, recipient_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      notificationId,
      alertId,
      phase,
      recipientId,
    ]);
  }

  async recipientsOf(alertId: string): Promise<string[]> {
    const { rows } = await execute(this.manager, `SELECT recipient_id FROM ${LINKS} WHERE alert_id = $1 AND phase = 'raised' ORDER BY notification_id`, [
      alertId,
    ]);
    return rows.map((row) => z.object({ recipient_id: z.string() }).parse(row).recipient_id);
  }

  async findByNotification(notificationId: string): Promise<Alert | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${SELECT} FROM ${TABLE} a JOIN ${LINKS} l ON l.alert_id = a.id WHERE l.notification_id = $1`, [
      notificationId,
    ]);
    return rows.length === 0 ? undefined : toAlert(rows[0]);
  }

  async listOpen(kind: Alert['kind'], limit: number): Promise<Alert[]> {
    const { rows } = await execute(
      this.manager,
      `SELECT ${SELECT} FROM ${TABLE} a WHERE a.kind = $1 AND a.resolved_at IS NULL ORDER BY a.raised_at, a.id LIMIT $2`,
      [kind, limit],
    );
    return rows.map(toAlert);
  }

  async lockById(alertId: string): Promise<Alert | undefined> {
    const { rows } = await execute(this.manager, `SELECT ${SELECT} FROM ${TABLE} a WHERE a.id = $1 FOR UPDATE`, [alertId]);
    return rows.length === 0 ? undefined : toAlert(rows[0]);
  }

  async requestRedrive(alertId: string, at: Date, by: string): Promise<boolean> {
    const { rows } = await execute(
      this.manager,
      `UPDATE ${TABLE} SET redrive_requested_at = $2, redrive_requested_by = $3 WHERE id = $1 AND redrive_requested_at IS NULL RETURNING id`,
      [alertId, at, by],
    );
    return rows.length === 1;
  }
}
