import { z } from 'zod';
import { defineContract } from '../../../shared/messaging/contract-registry';

/** The published language of Orchestration: alerts about workflows that stopped moving. */

export const WorkflowStalled = defineContract(
  'orchestration.workflow-stalled.v1',
  'event',
  z.object({
    taskId: z.string().min(1),
    status: z.string().min(1),
    taskVersion: z.number().int().positive(),
    inStatusSince: z.iso.datetime({ offset: true }),
    thresholdMs: z.number().int().positive(),
    detectedAt: z.iso.datetime({ offset: true }),
    /** What the detector sent again to move the workflow on. */
    redriven: z.array(z.string()),
  }),
);

export const orchestrationContracts = [WorkflowStalled] as const;
