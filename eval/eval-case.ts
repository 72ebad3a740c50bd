import { z } from 'zod';
import { CLARIFICATION_FIELDS } from '../src/contexts/product-definition/domain/product-manager-agent';
import { TASK_PRIORITIES } from '../src/contexts/task-management/contracts';
import agentSet from './agent-set.json';

/**
 * A fact the final PRD must carry: a list of alternative case-insensitive substrings (any one
 * found is enough), or a case-insensitive regular expression.
 */
export const factSchema = z.union([z.array(z.string().min(1)).min(1), z.object({ regex: z.string().min(1) })]);
export type Fact = z.infer<typeof factSchema>;

/** What a requester answers about one field: one answer, or one per time the field is asked (the last is repeated). */
const answerSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const fieldSchema = z.enum(CLARIFICATION_FIELDS);

export const evalCaseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    domain: z.string().min(1),
    title: z.string().min(1),
    description: z.string().min(1),
    priority: z.enum(TASK_PRIORITIES),
    /** What a product manager does with the request as written: ask first, or write the PRD. */
    expected: z.enum(['clarify', 'prd']),
    /** The fields really missing from the request (empty for a `prd` case). */
    lacks: z.array(fieldSchema),
    /** The requester's answer per field; a field without one is answered "I don't know". */
    answers: z.partialRecord(fieldSchema, answerSchema),
    /**
     * Fields whose first answer is deliberately vague ("faster"): a good agent asks about them
     * again in the next round, and gets the second answer.
     */
    followUp: z.array(fieldSchema).default([]),
    facts: z.array(factSchema).min(1),
  })
  .superRefine((c, ctx) => {
    if (c.expected === 'clarify' && c.lacks.length === 0) ctx.addIssue({ code: 'custom', message: `${c.id}: a clarify case lacks something` });
    if (c.expected === 'prd' && c.lacks.length > 0) ctx.addIssue({ code: 'custom', message: `${c.id}: a prd case lacks nothing` });
    for (const field of c.lacks) if (c.answers[field] === undefined) ctx.addIssue({ code: 'custom', message: `${c.id}: no answer for ${field}` });
    for (const field of c.followUp) {
      const answer = c.answers[field];
      if (!c.lacks.includes(field) || !Array.isArray(answer) || answer.length < 2) {
        ctx.addIssue({ code: 'custom', message: `${c.id}: follow-up field ${field} needs a vague and a real answer` });
      }
    }
  });
export type EvalCase = z.output<typeof evalCaseSchema>;
export type EvalCaseInput = z.input<typeof evalCaseSchema>;

/** The set, validated: a malformed case stops the run before any agent is called. */
export function parseEvalSet(raw: unknown): EvalCase[] {
  const cases = z.array(evalCaseSchema).parse(raw);
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    ids.add(c.id);
  }
  return cases;
}

/** The agent set (`agent-set.json`), validated. */
export function loadAgentSet(): EvalCase[] {
  return parseEvalSet(agentSet);
}
