import { z } from 'zod';
import { storedText } from '../../../../../shared/kernel/text';
import { authoredPrdSchema } from '../../../contracts';
import { CLARIFICATION_FIELDS, MAX_QUESTIONS_PER_ROUND } from '../../../domain/product-manager-agent';

/**
 * The one structured reply the model writes: its decision and the content for it. One object
 * with nullable fields rather than a union: every OpenAI-compatible server's JSON-schema support
 * (constrained decoding in vLLM, llama.cpp's grammar, OpenAI's strict mode) handles it, and the
 * "exactly the field of the decision" rule is checked here afterwards.
 */
const questionSchema = z.object({
  field: z.enum(CLARIFICATION_FIELDS),
  question: storedText().trim().min(1).max(1_000),
  why: storedText().trim().min(1).max(1_000),
});

export const llmReplySchema = z.object({
  decision: z.enum(['questions', 'prd', 'give-up']),
  questions: z.array(questionSchema).max(MAX_QUESTIONS_PER_ROUND).nullable(),
  prd: authoredPrdSchema.nullable(),
  reason: storedText().trim().min(1).max(2_000).nullable(),
});
export type LlmReply = z.infer<typeof llmReplySchema>;

export type ParsedReply =
  | { readonly kind: 'questions'; readonly questions: z.infer<typeof questionSchema>[] }
  | { readonly kind: 'prd'; readonly prd: z.infer<typeof authoredPrdSchema> }
  | { readonly kind: 'give-up'; readonly reason: string };

/**
 * Parses the reply again with the domain's own schemas, whatever the endpoint claimed about
 * honouring the JSON schema. Returns the problems instead when it breaks them.
 */
export function parseReply(raw: unknown): ParsedReply | { readonly problems: string } {
  const reply = llmReplySchema.safeParse(raw);
  if (!reply.success) return { problems: summarise(reply.error) };
  const { decision, questions, prd, reason } = reply.data;
  if (decision === 'questions') {
    if (!questions || questions.length === 0) return { problems: 'decision "questions" without any question' };
    return { kind: 'questions', questions };
  }
  // The reply schema already parsed `prd` with the domain's authoredPrdSchema.
  if (decision === 'prd') return prd ? { kind: 'prd', prd } : { problems: 'decision "prd" without a prd' };
  return reason ? { kind: 'give-up', reason } : { problems: 'decision "give-up" without a reason' };
}

function summarise(error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(reply)'}: ${issue.message}`);
  return `${issues.join('; ')}${error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : ''}`;
}
