/** Small text helpers of the rule-based agent: deterministic, no language model involved. */

import { cutText } from '../../../../shared/kernel/text';
import { normalise } from '../../domain/grounding';

/**
 * Words that carry no requirement on their own: English function words plus the filler of vague
 * requests and answers ("make it better", "it is fast", "idk"). A text made only of these has no
 * usable content.
 */
const STOPWORDS = new Set(
  (
    'the and for with that this from into onto about than then them they their there these those ' +
    'was were are is be been being has have had having does did doing can could would should will shall ' +
    "not but any all some our ours your yours you its it's his her she him who whom what which when where why how " +
    'make makes made better good great nice nicer stuff thing things something anything everything ' +
    'idk dunno know sure maybe want wants need needs please just really very also too etc yes fine okay ' +
    'fix fixed work works working improve improved again more less much many lot lots whatever same ' +
    'fast faster quick quicker easy easier simple simpler cool nope yeah yep thanks thank usual normal ok'
  ).split(' '),
);

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
}

/** Words of three letters or more that are not stopwords. */
export function meaningfulWords(text: string): string[] {
  return words(text).filter((word) => word.length >= 3 && !STOPWORDS.has(word));
}

/** Splits text into trimmed sentences or list items (lines, bullets, sentence ends and semicolons). */
export function sentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+|;\s+/)
    .map((part) => part.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim())
    .filter((part) => /\w/.test(part));
}

/** Keeps a line within the PRD schema's limit without cutting it silently. */
export function clip(text: string, max = 1_000): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed.length <= max ? trimmed : `${cutText(trimmed, max - 1).trimEnd()}…`;
}

/** The first `count` words of a text, with an ellipsis when it was longer (for quoting in a question). */
export function excerpt(text: string, count = 14): string {
  const all = withoutFinalStop(text).split(/\s+/);
  return all.length <= count ? all.join(' ') : `${all.slice(0, count).join(' ')}…`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lower-cases the first letter unless the first word looks like an acronym ("API", "SSO") or is "I". */
export function decapitalise(text: string): string {
  return /^(?:[A-Z]{2}|I\b)/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

export function withoutFinalStop(text: string): string {
  return text.trim().replace(/[.!?:;,]+$/, '');
}

/** The comparison key of a text: lower case, punctuation as spaces (as the grounding check compares quotes). */
export const normalised = normalise;

export function unique(items: readonly string[]): string[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = normalised(item);
    if (key.length === 0 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Meaningful words two texts share, by stem (first five letters), as a crude topic match. */
export function sharedWords(a: string, b: string): number {
  const stems = (text: string): Set<string> => new Set(meaningfulWords(text).map((word) => word.slice(0, 5)));
  const left = stems(a);
  return [...stems(b)].filter((stem) => left.has(stem)).length;
}
