import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, silentLogger } from '../src/shared/logging/logger';
import { agentFor, AGENT_NAMES, isAgentName } from './agents';
import { loadAgentSet } from './eval-case';
import { type CaseResult, type EvalSummary, failedCase, runCase, summarise } from './harness';
import type { FindingCounts, Share } from './metrics';

/**
 * `npm run eval:agent [-- --case <id>] [-- --out <file>]`: runs the agent set through the
 * service's own checks and prints a table per case and the summary. AGENT picks the agent
 * (rule-based, the default, or llm); MAX_CLARIFICATION_ROUNDS the rounds allowed (default 2).
 */

const DEFAULT_MAX_ROUNDS = 2;

function percent(s: Share | { readonly share: number | null }): string {
  return s.share === null ? 'n/a' : `${(s.share * 100).toFixed(1)}%`;
}

function fraction(s: Share): string {
  return `${s.count}/${s.total} (${percent(s)})`;
}

function ratio(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(2);
}

function counts(c: FindingCounts): string {
  const entries = Object.entries(c);
  return entries.length === 0 ? 'none' : entries.map(([code, n]) => `${code} ${n}`).join(', ');
}

function table(results: readonly CaseResult[]): string {
  const header = ['case', 'expected', 'decided', 'end', 'rounds', 'questions (specific)', 'facts', 'no-source', 'unsupp-number', 'repairs'];
  const rows = results.map((r) => {
    const specific = r.questions.filter((q) => q.specific).length;
    return [
      r.id,
      r.expected,
      r.decided,
      r.end,
      String(r.rounds),
      r.questions.length === 0 ? '-' : `${r.questions.length} (${specific})`,
      r.facts ? `${r.facts.found}/${r.facts.total}` : '-',
      String((r.draftFindings['no-source'] ?? 0) + (r.refusalFindings['no-source'] ?? 0)),
      String((r.draftFindings['unsupported-number'] ?? 0) + (r.refusalFindings['unsupported-number'] ?? 0)),
      String(r.repairs),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function notes(results: readonly CaseResult[]): string[] {
  return results.flatMap((r) => [
    ...(r.decided !== r.expected ? [`${r.id}: expected ${r.expected}, decided ${r.decided}`] : []),
    ...(r.facts && r.facts.missing.length > 0 ? [`${r.id}: facts missing: ${r.facts.missing.join(' | ')}`] : []),
    ...r.followUps.filter((f) => !f.askedAgain).map((f) => `${r.id}: vague answer about ${f.field} not followed up`),
    ...(r.detail !== undefined && r.end !== 'prd' ? [`${r.id}: ${r.end}: ${r.detail.slice(0, 300)}`] : []),
  ]);
}

function summaryText(agent: string, maxRounds: number, s: EvalSummary): string {
  const d = s.decisions;
  return [
    `agent ${agent}, ${s.cases} case(s) (${s.expected.clarify} clarify, ${s.expected.prd} prd), up to ${maxRounds} clarification round(s)`,
    `needs-clarification decision (round 1): precision ${ratio(d.precision)}, recall ${ratio(d.recall)}, accuracy ${ratio(d.accuracy)} ` +
      `(TP ${d.truePositives}, FP ${d.falsePositives}, FN ${d.falseNegatives}, TN ${d.trueNegatives})`,
    `specific questions: ${fraction(s.specificQuestions)}; lacking fields asked about: ${fraction(s.lackingFieldsAsked)}; vague answers followed up: ${fraction(s.followUps)}`,
    `fact recall: ${fraction(s.factRecall)} over ${s.factRecall.cases} case(s) with a PRD`,
    `grounding: drafts ${counts(s.findings.drafts)}; repairs asked ${s.findings.repairs}; malformed drafts ${s.findings.malformedDrafts}; refused after repair ${s.findings.refusals} (${counts(s.findings.refusalFindings)}); final PRDs ${counts(s.findings.final)}`,
    `ends: prd ${s.ends.prd}, give-up ${s.ends['give-up']}, refused ${s.ends.refused}, error ${s.ends.error}`,
    `usage: ${s.usage.calls} call(s), ${s.usage.tokensIn} tokens in, ${s.usage.tokensOut} out, ${(s.usage.callMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { case: { type: 'string', multiple: true }, out: { type: 'string' } } });
  const agentName = process.env.AGENT ?? 'rule-based';
  if (!isAgentName(agentName)) throw new Error(`AGENT must be one of ${AGENT_NAMES.join(', ')}; got ${agentName}`);
  const maxRounds = process.env.MAX_CLARIFICATION_ROUNDS ? Number(process.env.MAX_CLARIFICATION_ROUNDS) : DEFAULT_MAX_ROUNDS;
  if (!Number.isInteger(maxRounds) || maxRounds < 0) throw new Error('MAX_CLARIFICATION_ROUNDS must be a whole number, 0 or more');

  const all = loadAgentSet();
  const wanted = values.case ?? [];
  const unknown = wanted.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length > 0) throw new Error(`no such case: ${unknown.join(', ')}`);
  const cases = wanted.length > 0 ? all.filter((c) => wanted.includes(c.id)) : all;

  // The checks' own warnings (a refused draft) are counted in the results, not logged.
  const logger = process.env.EVAL_LOG_LEVEL ? createLogger(process.env.EVAL_LOG_LEVEL, 'eval') : silentLogger();
  const agent = agentFor(agentName, logger);
  const results: CaseResult[] = [];
  for (const evalCase of cases) {
    process.stderr.write(`${evalCase.id}…\n`);
    try {
      results.push(await runCase(agent, evalCase, { maxClarificationRounds: maxRounds, logger }));
    } catch (error) {
      results.push(failedCase(evalCase, error));
    }
  }
  const summary = summarise(results, cases);

  console.log(table(results));
  const remarks = notes(results);
  if (remarks.length > 0) console.log(`\n${remarks.join('\n')}`);
  console.log(`\n${summaryText(agentName, maxRounds, summary)}`);

  const out = resolve(values.out ?? `eval/results/${agentName}-latest.json`);
  mkdirSync(dirname(out), { recursive: true });
  const report = { agent: agentName, maxClarificationRounds: maxRounds, ranAt: new Date().toISOString(), cases: cases.map((c) => c.id), summary, results };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten to ${out}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
