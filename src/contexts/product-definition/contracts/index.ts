import { z } from 'zod';
import { defineContract } from '../../../shared/messaging/contract-registry';

/** The published language of Product Definition. Its commands to Task Management live there. */

const line = z.string().trim().min(1).max(5_000);
export const requirementPrioritySchema = z.enum(['P0', 'P1', 'P2']);

const requirementSchema = z.object({ id: z.string().min(1), description: line, priority: requirementPrioritySchema });

export const prdDocumentSchema = z.object({
  title: line,
  problem: line,
  goals: z.array(line).min(1),
  nonGoals: z.array(line),
  userStories: z.array(z.object({ asA: line, iWant: line, soThat: line, acceptanceCriteria: z.array(line).min(1) })).min(1),
  functionalRequirements: z.array(requirementSchema).min(1),
  nonFunctionalRequirements: z.array(requirementSchema),
  assumptions: z.array(line),
  risks: z.array(line),
  successMetrics: z.array(line).min(1),
  openQuestions: z.array(line),
  originalRequest: z.string().min(1),
  clarificationLog: z.array(z.object({ question: line, answer: line })),
  /** Rejection feedback this version answers, oldest first. */
  feedbackAddressed: z.array(line),
});
export type PrdDocument = z.infer<typeof prdDocumentSchema>;

/** A PRD version was written; the task moves to PRD_VALIDATION when Task Management accepts it. */
export const PrdDrafted = defineContract(
  'product-definition.prd-drafted.v1',
  'event',
  z.object({
    taskId: z.string().min(1),
    prdVersion: z.number().int().positive(),
    /** The task version the agent worked from. */
    basedOnTaskVersion: z.number().int().positive(),
    prd: prdDocumentSchema,
    draftedAt: z.iso.datetime({ offset: true }),
  }),
);

export const productDefinitionContracts = [PrdDrafted] as const;
