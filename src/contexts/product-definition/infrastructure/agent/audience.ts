import { clip, decapitalise, unique, withoutFinalStop } from './text';

/** People a request may be for; a sentence naming one of them tells who the request is for. */
const ROLE_NOUNS =
  'users?|customers?|clients?|admins?|administrators?|operators?|engineers?|developers?|managers?|analysts?|agents?|' +
  'accountants?|planners?|designers?|marketers?|dispatchers?|nurses?|doctors?|drivers?|editors?|writers?|authors?|' +
  'recruiters?|team leads?|staff|employees?|members?|visitors?|buyers?|sellers?|students?|teachers?|patients?|' +
  'requesters?|approvers?|reviewers?|teams?|people|everyone|anyone';

export const AUDIENCE_CUE = new RegExp(`\\b(?:${ROLE_NOUNS}|as an? [a-z][\\w-]*)\\b`, 'i');
const ROLE = new RegExp(`\\b((?:[a-z][\\w-]*\\s+)?(?:${ROLE_NOUNS}))\\b`, 'i');
const NOT_A_QUALIFIER = new Set([
  'for',
  'the',
  'a',
  'an',
  'all',
  'our',
  'to',
  'of',
  'by',
  'as',
  'and',
  'with',
  'many',
  'some',
  'most',
  'every',
  'each',
  'per',
  'any',
  'other',
]);

/** The role a sentence names, with one qualifying word: "support agents", "night-shift operators". */
function roleIn(sentence: string): string | undefined {
  const role = ROLE.exec(sentence)?.[1];
  if (!role) return undefined;
  const [first, ...rest] = role.split(/\s+/);
  return decapitalise(first && NOT_A_QUALIFIER.has(first.toLowerCase()) ? rest.join(' ') : role);
}

/**
 * Who the user stories are for, at most three. What the requester stated as the audience (a label
 * or an answer) wins; short statements are kept whole. Otherwise the roles other sentences mention.
 */
export function audiencesFrom(stated: readonly string[], mentioned: readonly string[]): string[] {
  const fromStated = stated.map((sentence) => {
    const text = withoutFinalStop(sentence).replace(/^(?:for|as an?)\s+/i, '');
    return text.split(/\s+/).length <= 12 ? decapitalise(text) : (roleIn(text) ?? clip(text, 120));
  });
  const chosen = fromStated.length > 0 ? fromStated : mentioned.map((sentence) => roleIn(sentence)).filter((role): role is string => role !== undefined);
  return unique(chosen).slice(0, 3);
}
