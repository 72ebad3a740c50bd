import { z } from 'zod';
import { storedText } from '../../../shared/kernel/text';
import { defineContract } from '../../../shared/messaging/contract-registry';

/** The published language of Product Definition. Its commands to Task Management live there. */

const line = storedText().trim().min(1).max(5_000);
const quote = storedText().trim().min(1).max(2_000);
export const requirementPrioritySchema = z.enum(['P0', 'P1', 'P2']);

/**
 * What one PRD statement rests on: the request (title and description), the n-th answer of the
 * clarification log, the n-th rejection feedback (both counted from 1, oldest first), each with
 * the words quoted from it; or an assumption the agent made, stated as such (it supports no
 * number, date or quantity).
 */
export const prdSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), quote }),
  z.object({ kind: z.literal('answer'), index: z.number().int().positive(), quote }),
  z.object({ kind: z.literal('feedback'), index: z.number().int().positive(), quote }),
  z.object({ kind: z.literal('assumption'), reason: line }),
]);
export type PrdSource = z.infer<typeof prdSourceSchema>;

/** A PRD statement and its sources. The grounding check refuses one without a source. */
const sourcedItemSchema = z.object({ text: line, sources: z.array(prdSourceSchema) });
export type SourcedItem = z.infer<typeof sourcedItemSchema>;

export const requirementIdSchema = z.string().regex(/^(?:FR|NFR)-\d+$/, 'a requirement id is FR-n or NFR-n');
const requirementSchema = z.object({ id: requirementIdSchema, description: line, priority: requirementPrioritySchema, sources: z.array(prdSourceSchema) });
export type PrdRequirement = z.infer<typeof requirementSchema>;

const userStorySchema = z.object({
  asA: line,
  iWant: line,
  soThat: line,
  sources: z.array(prdSourceSchema),
  acceptanceCriteria: z.array(sourcedItemSchema).min(1),
});
export type PrdUserStory = z.infer<typeof userStorySchema>;

/**
 * What one version changed relative to the version before it: for a feedback item (`feedback` is
 * its index, from 1), or on the agent's own initiative (`feedback` null; `summary` says why).
 * Requirement ids are kept across versions, so `changed` names the same requirement in both.
 */
export const prdChangeSchema = z.object({
  feedback: z.number().int().positive().nullable(),
  summary: line,
  added: z.array(requirementIdSchema),
  changed: z.array(requirementIdSchema),
  removed: z.array(requirementIdSchema),
  /** Other sections the change touched (goals, successMetrics, openQuestions…). */
  sections: z.array(storedText().min(1)),
});
export type PrdChange = z.infer<typeof prdChangeSchema>;

/** The part of a PRD an agent writes; the service adds the rest from its own state. */
export const authoredPrdSchema = z.object({
  title: line,
  problem: line,
  goals: z.array(sourcedItemSchema).min(1),
  nonGoals: z.array(sourcedItemSchema),
  userStories: z.array(userStorySchema).min(1),
  functionalRequirements: z.array(requirementSchema).min(1),
  nonFunctionalRequirements: z.array(requirementSchema),
  assumptions: z.array(sourcedItemSchema),
  risks: z.array(sourcedItemSchema),
  /** Measurable targets the requester gave; none means the question is open (see openQuestions). */
  successMetrics: z.array(sourcedItemSchema),
  openQuestions: z.array(sourcedItemSchema),
  /** Empty for version 1; one entry per feedback item (and per unrequested change) afterwards. */
  changeLog: z.array(prdChangeSchema),
});
export type AuthoredPrd = z.infer<typeof authoredPrdSchema>;

/** Who wrote a version and what it cost: recorded by the service, never by the model. */
export const prdGenerationSchema = z.object({
  agent: z.enum(['rule-based', 'llm']),
  /** The model's name for the LLM agent; null for the rule-based one. */
  model: storedText().min(1).nullable(),
  promptVersion: storedText().min(1),
  tokensIn: z.number().int().min(0),
  tokensOut: z.number().int().min(0),
  /** Model calls it took (a repair is a second call) and their total time. */
  calls: z.number().int().min(0),
  callMs: z.number().min(0),
});
export type PrdGeneration = z.infer<typeof prdGenerationSchema>;

export const prdDocumentSchema = authoredPrdSchema.extend({
  /** Copied from the service's own state, never from the model. */
  originalRequest: storedText().min(1),
  clarificationLog: z.array(z.object({ question: line, answer: line })),
  /** All rejection feedback up to this version, oldest first: `feedback` n of a source is the n-th. */
  feedback: z.array(z.object({ prdVersion: z.number().int().positive(), feedback: line })),
  generatedBy: prdGenerationSchema,
});
export type PrdDocument = z.infer<typeof prdDocumentSchema>;

/**
 * Reads a stored or sent PRD of either shape: before sources existed, items were plain strings
 * and `feedbackAddressed` listed what feedback did. Those become items without sources and a
 * change log of summaries, so nothing written earlier becomes unreadable.
 */
export const storedPrdDocumentSchema = z.preprocess(upgradeLegacyPrd, prdDocumentSchema);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const listOf = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? (value as unknown[]) : undefined);

function upgradeLegacyPrd(raw: unknown): unknown {
  if (!isRecord(raw) || !('feedbackAddressed' in raw)) return raw;
  const items = (value: unknown): unknown => listOf(value)?.map((text) => (typeof text === 'string' ? { text, sources: [] } : text)) ?? value;
  const withSources = (value: unknown): unknown => listOf(value)?.map((entry) => (isRecord(entry) ? { sources: [], ...entry } : entry)) ?? value;
  const { feedbackAddressed, ...rest } = raw;
  return {
    ...rest,
    goals: items(raw.goals),
    nonGoals: items(raw.nonGoals),
    userStories:
      listOf(raw.userStories)?.map((story) => (isRecord(story) ? { sources: [], ...story, acceptanceCriteria: items(story.acceptanceCriteria) } : story)) ??
      raw.userStories,
    functionalRequirements: withSources(raw.functionalRequirements),
    nonFunctionalRequirements: withSources(raw.nonFunctionalRequirements),
    assumptions: items(raw.assumptions),
    risks: items(raw.risks),
    successMetrics: items(raw.successMetrics),
    openQuestions: items(raw.openQuestions),
    changeLog: listOf(feedbackAddressed)?.map((summary) => ({ feedback: null, summary, added: [], changed: [], removed: [], sections: [] })) ?? [],
    feedback: [],
    generatedBy: { agent: 'rule-based', model: null, promptVersion: 'before-provenance', tokensIn: 0, tokensOut: 0, calls: 0, callMs: 0 },
  };
}

/** A PRD version was written; the task moves to PRD_VALIDATION when Task Management accepts it. */
export const PrdDrafted = defineContract(
  'product-definition.prd-drafted.v1',
  'event',
  z.object({
    taskId: storedText().min(1),
    prdVersion: z.number().int().positive(),
    /** The task version the agent worked from. */
    basedOnTaskVersion: z.number().int().positive(),
    prd: storedPrdDocumentSchema,
    draftedAt: z.iso.datetime({ offset: true }),
  }),
);

/** The pool the switch below turns on and off: today the only one, the product-manager pool. */
export const AGENT_POOL = 'product-manager';

const reasonText = storedText().trim().min(1).max(500);

/**
 * An operator asks the agent pool to stop (or start again) claiming work. While it is paused every
 * Product Definition process claims nothing: work items stay pending, their attempts unspent.
 * `by` is the operator's user id. The command whose `occurredAt` is newest wins.
 */
export const SetAgentPool = defineContract(
  'product-definition.set-agent-pool.v1',
  'command',
  z.object({ paused: z.boolean(), by: storedText().min(1).max(200), reason: reasonText.optional() }),
);

/** The agent pool was paused or resumed (an operator's `set-agent-pool` changed the switch). */
export const AgentPoolChanged = defineContract(
  'product-definition.agent-pool-changed.v1',
  'event',
  z.object({
    paused: z.boolean(),
    by: storedText().min(1).max(200),
    reason: reasonText.nullable(),
    changedAt: z.iso.datetime({ offset: true }),
  }),
);

export const productDefinitionContracts = [PrdDrafted, SetAgentPool, AgentPoolChanged] as const;
