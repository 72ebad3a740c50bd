import { z } from 'zod';

/**
 * The one rule for text the service stores or passes on: PostgreSQL refuses the NUL character in
 * `text` and `jsonb`, and a lone UTF-16 surrogate is no character at all (it cannot be written as
 * UTF-8). JSON can carry both (`"\u0000"`, `"\ud800"`), so every text input is checked here
 * before it reaches a database or a queue: the HTTP bodies, paths and queries, the web forms, the
 * message contracts and the envelope.
 */

export const NUL_PROBLEM = 'must not contain the NUL character (\\u0000)';
export const SURROGATE_PROBLEM = 'must not contain an unpaired UTF-16 surrogate';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`, 'g');

/** What is wrong with `value` as stored text, in words that follow a field's name; undefined when nothing. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return NUL_PROBLEM;
  if (LONE_SURROGATE.test(value)) return SURROGATE_PROBLEM;
  return undefined;
}

/** Adds the stored-text rule to a string schema of any format (`z.url()`, `z.email()`…): one issue at the field's path. */
export function withTextRule<S extends z.ZodType<string>>(schema: S): S {
  return schema.superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

/** A string that may be stored: `storedText().trim().min(1).max(200)` wherever `z.string()` would be. */
export function storedText(): z.ZodString {
  return withTextRule(z.string());
}

/** At most the first `length` UTF-16 units of `text`, one fewer rather than half of a surrogate pair. */
export function cutText(text: string, length: number): string {
  const cut = text.slice(0, Math.max(0, length));
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * Text from outside that the service keeps in its own words (an endpoint's error body quoted in a
 * reason): NUL and lone surrogates become U+FFFD, as a UTF-8 decoder shows broken bytes.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}
