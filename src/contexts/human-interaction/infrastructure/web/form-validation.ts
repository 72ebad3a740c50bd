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

/** How a form differs from the API body its schema describes. */
export interface FormShape {
  /** The form's name for the field at a schema path (default: the path, dotted). */
  readonly fieldOf?: (path: readonly PropertyKey[]) => string;
  /** The words a form uses for an issue instead of the usual ones (messageOf). */
  readonly wordsFor?: (issue: z.core.$ZodIssue, usual: string) => string;
}

/** The issues of a form's fields under the API's schema, each named as the form names it; none when it parses. */
export function formIssues<S extends z.ZodType>(
  schema: S,
  input: unknown,
  shape: FormShape = {},
): { readonly data: z.output<S> } | { readonly issues: RequestIssue[] } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { data: parsed.data };
  const fieldOf = shape.fieldOf ?? ((path) => path.map(String).join('.'));
  return {
    issues: parsed.error.issues.map((issue) => {
      const usual = messageOf(issue);
      return { field: fieldOf(issue.path) || 'form', message: shape.wordsFor?.(issue, usual) ?? usual };
    }),
  };
}

/** Parses a form's fields with the API's schema; a failure names each field as the form names it. */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown, shape: FormShape = {}): z.output<S> {
  const checked = formIssues(schema, input, shape);
  if ('issues' in checked) throw new InvalidRequestError(checked.issues);
  return checked.data;
}

/** The message for one field, to show next to it. */
export function issueFor(issues: readonly RequestIssue[] | undefined, field: string): string | undefined {
  return issues?.find((issue) => issue.field === field)?.message;
}
