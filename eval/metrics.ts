import type { AuthoredPrd } from '../src/contexts/product-definition/contracts';
import type { GroundingFinding } from '../src/contexts/product-definition/domain/grounding';
import type { ClarificationField } from '../src/contexts/product-definition/domain/product-manager-agent';
import type { Fact } from './eval-case';

/** What the agent did with the request as written (round 1): asked, wrote a PRD, gave up, or failed. */
export type Decision = 'clarify' | 'prd' | 'give-up' | 'error';

/** Case-insensitive; whitespace runs count as one space, so a line break in the PRD does not hide a fact. */
function squash(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}

export function factFound(fact: Fact, text: string): boolean {
  if ('regex' in fact) return new RegExp(fact.regex, 'i').test(text);
  const haystack = squash(text);
  return fact.some((alternative) => haystack.includes(squash(alternative)));
}

/** How a fact reads in a report: its first alternative, or its pattern. */
export function factLabel(fact: Fact): string {
  return 'regex' in fact ? `/${fact.regex}/` : (fact[0] ?? '');
}

/**
 * Every statement the agent wrote in the PRD, one per line. Source quotes are left out: they are
 * provenance, copied from the request, and would let a PRD "carry" a fact it never states.
 */
export function prdTexts(prd: AuthoredPrd): string {
  const items = [prd.goals, prd.nonGoals, prd.assumptions, prd.risks, prd.successMetrics, prd.openQuestions].flatMap((section) => section.map((i) => i.text));
  const stories = prd.userStories.flatMap((s) => [s.asA, s.iWant, s.soThat, ...s.acceptanceCriteria.map((c) => c.text)]);
  const requirements = [...prd.functionalRequirements, ...prd.nonFunctionalRequirements].map((r) => r.description);
  return [prd.title, prd.problem, ...items, ...stories, ...requirements].join('\n');
}

export interface FactScore {
  readonly found: number;
  readonly total: number;
  readonly missing: readonly string[];
}

export function scoreFacts(facts: readonly Fact[], text: string): FactScore {
  const missing = facts.filter((fact) => !factFound(fact, text)).map(factLabel);
  return { found: facts.length - missing.length, total: facts.length, missing };
}

export interface DecisionScore {
  /** Needs clarification is the positive class. */
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** Of the requests the agent asked about, the share that needed it; null when it asked about none. */
  readonly precision: number | null;
  /** Of the requests that needed clarification, the share it asked about; null when none did. */
  readonly recall: number | null;
  /** Cases whose round-1 outcome matched what was expected (a give-up or an error never does). */
  readonly accuracy: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** A give-up or an error is "did not ask": it counts against recall, never for precision. */
export function scoreDecisions(rows: readonly { readonly expected: 'clarify' | 'prd'; readonly decided: Decision }[]): DecisionScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let correct = 0;
  for (const { expected, decided } of rows) {
    const asked = decided === 'clarify';
    if (expected === 'clarify') {
      if (asked) tp += 1;
      else fn += 1;
    } else if (asked) fp += 1;
    else if (decided === 'prd') tn += 1;
    if (expected === decided) correct += 1;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    accuracy: ratio(correct, rows.length),
  };
}

/** A question is specific when it is about a field the request really lacks. */
export function isSpecific(field: ClarificationField, lacks: readonly ClarificationField[]): boolean {
  return lacks.includes(field);
}

export interface Share {
  readonly count: number;
  readonly total: number;
  readonly share: number | null;
}

export function share(count: number, total: number): Share {
  return { count, total, share: ratio(count, total) };
}

export type FindingCounts = Readonly<Partial<Record<GroundingFinding['code'], number>>>;

export function countFindings(findings: readonly GroundingFinding[]): FindingCounts {
  const counts: Partial<Record<GroundingFinding['code'], number>> = {};
  for (const { code } of findings) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

export function addFindingCounts(...all: readonly FindingCounts[]): FindingCounts {
  const sum: Partial<Record<GroundingFinding['code'], number>> = {};
  for (const counts of all) {
    for (const [code, n] of Object.entries(counts) as [GroundingFinding['code'], number][]) sum[code] = (sum[code] ?? 0) + n;
  }
  return sum;
}
