import type { PrdRequirement, PrdSource } from '../../contracts';
import { capitalise, clip, withoutFinalStop } from './text';

export type Priority = PrdRequirement['priority'];

/*
 * Priorities come from the requester's (or reviewer's) own words: "must/shall/need(s) to/has to/
 * required/critical" → P0, "should/important/expected to" → P1, "could/may/might/nice to have/
 * ideally/optional/if possible" → P2. A sentence with none of them is P1: stated, but nobody said
 * it is essential. The strongest cue in a sentence wins.
 */
const P0 = /\b(?:must|shall|needs?(?: to)?|has to|have to|required|requires?|critical|essential|mandatory)\b/i;
const P1 = /\b(?:should|important|expected to)\b/i;
const P2 = /\b(?:could|may|might|nice to have|nice-to-have|would be nice|ideally|optional(?:ly)?|if possible)\b/i;

export function priorityOf(text: string): Priority | undefined {
  if (P0.test(text)) return 'P0';
  if (P1.test(text)) return 'P1';
  if (P2.test(text)) return 'P2';
  return undefined;
}

/** Sentences about speed, security, privacy, accessibility, compatibility and the like are non-functional. */
const NON_FUNCTIONAL =
  /\b(?:performance|latency|response times?|p9[059]|uptime|availab\w*|secur\w*|encrypt\w*|privacy|gdpr|hipaa|pci|soc ?2|complian\w*|accessib\w*|wcag|contrast|scalab\w*|scaling|scale (?:to|up)|reliab\w*|audit\w*|browsers?|offline|compatib\w*|concurren\w*|load|throughput|(?:within|under|below|in less than) \d+(?:[.,]\d+)? ?(?:ms|milliseconds?|s|sec\w*|seconds?|minutes?|mins?))\b/i;

export const isNonFunctional = (text: string): boolean => NON_FUNCTIONAL.test(text);

/** A requirement's wording: the sentence it rests on, without a label's remains or a final stop. */
export function requirementText(sentence: string): string {
  return capitalise(clip(withoutFinalStop(sentence)));
}

export function nextId(prefix: 'FR' | 'NFR', taken: readonly string[]): string {
  const numbers = taken.filter((id) => id.startsWith(`${prefix}-`)).map((id) => Number(id.slice(prefix.length + 1)));
  return `${prefix}-${Math.max(0, ...numbers) + 1}`;
}

/** The clause that states what is wanted: a purpose or reason clause ("so that the manager only has to…") sets no priority. */
export function mainClause(sentence: string): string {
  return sentence.split(/\b(?:so that|so (?:they|we|i|you|users?|customers?) can|in order to|because|since)\b/i)[0] ?? sentence;
}

/** `stated`: the priority of a "Must:"/"Should:"/"Could:" label, which wins over the sentence's own words. */
export function requirement(id: string, sentence: string, sources: PrdSource[], stated?: Priority): PrdRequirement {
  return { id, description: requirementText(sentence), priority: stated ?? priorityOf(mainClause(sentence)) ?? 'P1', sources };
}
