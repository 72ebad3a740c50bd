/** A parsed application/x-www-form-urlencoded body: a repeated field arrives as an array. */
export type FormBody = Record<string, string | string[] | undefined>;

export function formBody(body: unknown): FormBody {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as FormBody) : {};
}

/** A single field's value (the first, when it was sent more than once). */
export function field(body: FormBody, name: string): string | undefined {
  const value = body[name];
  return Array.isArray(value) ? value[0] : value;
}

const MAX_ANSWERS = 50;

/**
 * Answers in question order: fields named `answer`, repeated, or `answer-0`, `answer-1`, …
 * (what the pages send: each textarea has its own label).
 */
export function answerFields(body: FormBody): string[] {
  const repeated = body['answer'];
  if (repeated !== undefined) return Array.isArray(repeated) ? repeated : [repeated];
  const answers: string[] = [];
  for (let i = 0; i < MAX_ANSWERS; i++) {
    const value = field(body, `answer-${i}`);
    if (value === undefined) break;
    answers.push(value);
  }
  return answers;
}

/**
 * A whole number as a form sends it (digits: a version in a hidden field), or undefined when it
 * is absent or not digits. The schema the form is parsed with decides what the number may be.
 */
export function numberField(body: FormBody, name: string): number | undefined {
  const value = field(body, name);
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}
