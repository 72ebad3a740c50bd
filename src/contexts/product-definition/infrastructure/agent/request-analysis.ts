import type { AssessmentInput } from '../../domain/product-manager-agent';
import { ELEMENTS, type Element, elementOfQuestion, subjectOf } from './clarifying-questions';
import { AUDIENCE_CUE, audiencesFrom } from './audience';
import { meaningfulWords, sentences, unique } from './text';

export type Section = Element | 'nonGoals';

export interface RequestAnalysis {
  readonly subject: string;
  /** Sentences stating each section, from labels, answers and keyword cues, in order. */
  readonly fragments: Readonly<Record<Section, readonly string[]>>;
  /** Who the request is for, as short phrases (may be empty). */
  readonly audiences: readonly string[];
  readonly present: ReadonlySet<Element>;
  /** Elements the requester already answered a question about: never asked a second time. */
  readonly asked: ReadonlySet<Element>;
  /** Every sentence of the description and the answers. */
  readonly statements: readonly string[];
  /** Distinct meaningful words in the description and the answers (usable content). */
  readonly meaningfulWordCount: number;
}

/*
 * How the rule-based agent reads a request (transparent on purpose, so a requester can predict it):
 * 1. Labels win: "Problem:", "Who:"/"For:"/"Users:", "Outcome:"/"Goal:", "Acceptance criteria:"/
 *    "Done when:", "Constraints:", "Non-goals:"/"Out of scope:" at a line or sentence start put
 *    what follows into that section (see splitByLabels for where a section ends).
 * 2. An answer to one of our questions belongs to the element the question was about.
 * 3. Unlabelled sentences (answers too) also feed every element whose keyword cue (CUES below)
 *    they match; stated text (1, 2) comes before cue matches in each section.
 * An element is present when its section holds a sentence with a meaningful word (for
 * constraints, an explicit "none" also counts).
 */
const LABELS: ReadonlyArray<readonly [Section, string]> = [
  ['problem', 'problem|pain points?|background|why'],
  ['audience', 'for|who|users?|audience|personas?|target users|customers'],
  ['outcome', 'desired outcome|outcomes?|goals?|objectives?|expected results?'],
  ['acceptanceCriteria', 'acceptance criteria|acceptance|done when|definition of done'],
  ['constraints', 'constraints?|limitations?|limits'],
  ['nonGoals', 'non-goals?|out of scope'],
];
const LABEL_PATTERN = new RegExp(`(?:^|(?<=[\\n.;!?]))[ \\t]*(?:[-*•][ \\t]*)?(${LABELS.map(([, l]) => l).join('|')})[ \\t]*:`, 'gi');

const CUES: Readonly<Record<Element, RegExp>> = {
  problem:
    /\b(?:problems?|pain|issues?|struggl\w*|frustrat\w*|complain\w*|currently|today|cannot|can't|unable|hard to|difficult|slow|broken|errors?|fail\w*|missing|wast\w*|manual(?:ly)?|because)\b/i,
  audience: AUDIENCE_CUE,
  outcome:
    /\b(?:so that|in order to|outcome|goals?|reduc\w*|increas\w*|cut|halve|double|sav(?:e|es|ing)|faster|quicker|fewer|less time|measur\w*|percent)\b|\d+\s*%/i,
  acceptanceCriteria: /\b(?:acceptance|done when|definition of done|be able to|verif(?:y|ied)|given\b.+\bwhen\b.+\bthen)\b/i,
  constraints:
    /\b(?:constraints?|deadline|budget|must not|mustn't|must (?:work|run|support|comply|stay|remain|use)|without (?:changing|breaking)|compatib\w*|complian\w*|gdpr|hipaa|pci|latency|within \d+|under \d+|at most|no more than|limit\w*|browsers?|offline|accessib\w*|wcag)\b/i,
};

function sectionOfLabel(label: string): Section {
  const found = LABELS.find(([, alternatives]) => new RegExp(`^(?:${alternatives})$`, 'i').test(label.trim()));
  return found ? found[0] : 'problem';
}

const BULLET = /^\s*(?:[-*•]|\d+[.)])\s+/;

/**
 * A label's section runs to the next label on its line, then over the bullet lines that follow;
 * a label alone on its line also takes the plain lines after it. A blank line ends it.
 */
function splitByLabels(text: string): { unlabelled: string; labelled: Array<[Section, string]> } {
  const unlabelled: string[] = [];
  const labelled: Array<{ section: Section; lines: string[]; takesPlainLines: boolean }> = [];
  let current: (typeof labelled)[number] | undefined;
  for (const line of text.split('\n')) {
    const matches = [...line.matchAll(LABEL_PATTERN)];
    const first = matches[0];
    if (!first) {
      if (current && line.trim() !== '' && (current.takesPlainLines || BULLET.test(line))) current.lines.push(line);
      else {
        current = undefined;
        unlabelled.push(line);
      }
      continue;
    }
    unlabelled.push(line.slice(0, first.index));
    matches.forEach((match, i) => {
      const content = line.slice(match.index + match[0].length, matches[i + 1]?.index ?? line.length);
      current = { section: sectionOfLabel(match[1] ?? ''), lines: [content], takesPlainLines: content.trim() === '' };
      labelled.push(current);
    });
  }
  return { unlabelled: unlabelled.join('\n'), labelled: labelled.map(({ section, lines }) => [section, lines.join('\n')]) };
}

function usable(element: Section, sentence: string): boolean {
  return meaningfulWords(sentence).length > 0 || (element === 'constraints' && /^\s*(?:none|n\/a|nothing|no constraints?)\b/i.test(sentence));
}

const noSections = (): Record<Section, string[]> => ({ problem: [], audience: [], outcome: [], acceptanceCriteria: [], constraints: [], nonGoals: [] });

export function analyseRequest(input: AssessmentInput): RequestAnalysis {
  const stated = noSections();
  const cued = noSections();
  const statements: string[] = [];
  const asked = new Set<Element>();

  const read = (text: string, answering: Element | undefined): void => {
    const { unlabelled, labelled } = splitByLabels(text);
    for (const sentence of sentences(unlabelled)) {
      statements.push(sentence);
      if (answering) stated[answering].push(sentence);
      for (const element of ELEMENTS) if (element !== answering && CUES[element].test(sentence)) cued[element].push(sentence);
    }
    for (const [section, content] of labelled) {
      for (const sentence of sentences(content)) {
        statements.push(sentence);
        stated[section].push(sentence);
      }
    }
  };

  read(input.description, undefined);
  for (const entry of input.clarificationLog) {
    const element = elementOfQuestion(entry.question);
    if (element) asked.add(element);
    read(entry.answer, element);
  }

  const fragments = noSections();
  for (const section of Object.keys(fragments) as Section[]) {
    fragments[section] = unique([...stated[section], ...cued[section]]).filter((sentence) => usable(section, sentence));
  }
  const content = [input.description, ...input.clarificationLog.map((entry) => entry.answer)].join('\n');
  return {
    subject: subjectOf(input.title),
    fragments,
    audiences: audiencesFrom(
      stated.audience.filter((sentence) => usable('audience', sentence)),
      cued.audience,
    ),
    present: new Set(ELEMENTS.filter((element) => fragments[element].length > 0)),
    asked,
    statements,
    meaningfulWordCount: new Set(meaningfulWords(content)).size,
  };
}
