import type { z } from 'zod';
import { InvalidRequestError, type RequestIssue } from '../../domain/human-interaction.errors';

/**
 * A form field's problem in words a person reads next to the field. zod's defaults ("Too small:
 * expected string to have >=1 characters") are written for API clients; messages the schema set
 * itself (an email or URL format) are kept as they are, so the API and the pages say the same.
 */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small' && issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'is required' : `needs at least ${issue.minimum} characters`;
  if (issue.code === 'too_big' && issue.origin === 'string') return `has at most ${issue.maximum} characters`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  return issue.message;
}

/** Parses a form's fields with the API's schema; a failure names each field as the form names it. */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: RequestIssue[] = parsed.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'form', message: messageOf(issue) }));
  throw new InvalidRequestError(issues);
}

/** The message for one field, to show next to it. */
export function issueFor(issues: readonly RequestIssue[] | undefined, field: string): string | undefined {
  return issues?.find((issue) => issue.field === field)?.message;
}
