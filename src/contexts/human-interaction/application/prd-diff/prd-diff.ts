import { diffWords } from 'diff';
import type { PrdChange, PrdDocument, PrdRequirement } from '../../../product-definition/contracts';

/** A run of words the two texts share, or that only the newer (added) or the older (removed) one has. */
export interface WordChange {
  readonly kind: 'same' | 'added' | 'removed';
  readonly text: string;
}

type Priority = PrdRequirement['priority'];

/** One requirement id across two versions (ids are stable, so the same id is the same requirement). */
export type RequirementDiff =
  | { readonly id: string; readonly status: 'added'; readonly description: string; readonly priority: Priority }
  | { readonly id: string; readonly status: 'removed'; readonly description: string; readonly priority: Priority }
  | { readonly id: string; readonly status: 'unchanged'; readonly description: string; readonly priority: Priority }
  | {
      readonly id: string;
      readonly status: 'changed';
      readonly description: { readonly from: string; readonly to: string; readonly words: readonly WordChange[] };
      readonly priority: { readonly from: Priority; readonly to: Priority };
    };

/** The sections compared item by item besides the requirements; `problem` and `title` are one item each. */
export const PRD_DIFF_SECTIONS = [
  'title',
  'problem',
  'goals',
  'nonGoals',
  'userStories',
  'acceptanceCriteria',
  'successMetrics',
  'assumptions',
  'risks',
  'openQuestions',
] as const;
export type PrdDiffSection = (typeof PRD_DIFF_SECTIONS)[number];

/** A section whose items differ: the texts only the newer version has, and those only the older one had. */
export interface SectionDiff {
  readonly section: PrdDiffSection;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface PrdDiff {
  readonly from: number;
  readonly to: number;
  /** Every requirement id of either version: functional ones first, each kind in id order. */
  readonly requirements: readonly RequirementDiff[];
  /** Only the sections that changed, in document order. */
  readonly sections: readonly SectionDiff[];
  /** What the newer version says it changed, as its agent wrote it. */
  readonly changeLog: readonly PrdChange[];
}

export interface PrdVersionDocument {
  readonly version: number;
  readonly document: PrdDocument;
}

/** How a user story reads, which is what the diff compares. */
export const storyText = (s: PrdDocument['userStories'][number]): string => `As ${s.asA}, I want ${s.iWant}, so that ${s.soThat}.`;

function sectionItems(d: PrdDocument, section: PrdDiffSection): string[] {
  switch (section) {
    case 'title':
      return [d.title];
    case 'problem':
      return [d.problem];
    case 'userStories':
      return d.userStories.map(storyText);
    case 'acceptanceCriteria':
      return d.userStories.flatMap((s) => s.acceptanceCriteria.map((c) => c.text));
    case 'goals':
    case 'nonGoals':
    case 'successMetrics':
    case 'assumptions':
    case 'risks':
    case 'openQuestions':
      return d[section].map((item) => item.text);
  }
}

/** Items of `a` not matched by one in `b`, counting repeats (a text twice in `a` and once in `b` leaves one). */
function without(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const text of b) left.set(text, (left.get(text) ?? 0) + 1);
  return a.filter((text) => {
    const n = left.get(text) ?? 0;
    if (n === 0) return true;
    left.set(text, n - 1);
    return false;
  });
}

const idNumber = (id: string): number => Number(id.slice(id.indexOf('-') + 1));

function wordsOf(from: string, to: string): WordChange[] {
  return diffWords(from, to).map((c) => ({ kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }));
}

function requirementDiffs(from: readonly PrdRequirement[], to: readonly PrdRequirement[]): RequirementDiff[] {
  const before = new Map(from.map((r) => [r.id, r]));
  const after = new Map(to.map((r) => [r.id, r]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => idNumber(a) - idNumber(b));
  return ids.map((id): RequirementDiff => {
    const old = before.get(id);
    const now = after.get(id);
    if (!old && now) return { id, status: 'added', description: now.description, priority: now.priority };
    if (old && !now) return { id, status: 'removed', description: old.description, priority: old.priority };
    if (!old || !now) throw new Error(`requirement ${id} is in neither version`);
    if (old.description === now.description && old.priority === now.priority)
      return { id, status: 'unchanged', description: now.description, priority: now.priority };
    return {
      id,
      status: 'changed',
      description: { from: old.description, to: now.description, words: wordsOf(old.description, now.description) },
      priority: { from: old.priority, to: now.priority },
    };
  });
}

/**
 * What changed from one PRD version to a later one: each requirement by its id (added, removed,
 * changed with a word-level diff of its description, or unchanged), the other sections' added
 * and removed items, and the later version's own change log. Sources are not compared: a
 * statement that reads the same is the same statement.
 */
export function diffPrdVersions(from: PrdVersionDocument, to: PrdVersionDocument): PrdDiff {
  const a = from.document;
  const b = to.document;
  const sections = PRD_DIFF_SECTIONS.flatMap((section): SectionDiff[] => {
    const before = sectionItems(a, section);
    const after = sectionItems(b, section);
    const added = without(after, before);
    const removed = without(before, after);
    return added.length === 0 && removed.length === 0 ? [] : [{ section, added, removed }];
  });
  return {
    from: from.version,
    to: to.version,
    requirements: [
      ...requirementDiffs(a.functionalRequirements, b.functionalRequirements),
      ...requirementDiffs(a.nonFunctionalRequirements, b.nonFunctionalRequirements),
    ],
    sections,
    changeLog: b.changeLog,
  };
}
