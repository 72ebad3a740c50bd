import type { PrdChange, PrdDocument, PrdGeneration, PrdSource } from '../../product-definition/contracts';

/** How one source reads to a person: `request: “quote”`, `answer 2: “quote”`, `feedback 1: “quote”`, `assumption: reason`. */
export function sourceText(source: PrdSource): string {
  switch (source.kind) {
    case 'request':
      return `request: “${source.quote}”`;
    case 'answer':
      return `answer ${source.index}: “${source.quote}”`;
    case 'feedback':
      return `feedback ${source.index}: “${source.quote}”`;
    case 'assumption':
      return `assumption: ${source.reason}`;
  }
}

/** Who wrote a version and what it cost, in one line. */
export function generationText(g: PrdGeneration): string {
  const who = g.agent === 'llm' ? `LLM agent (model ${g.model ?? 'unknown'})` : 'rule-based agent';
  const seconds = (g.callMs / 1000).toFixed(1);
  return `${who}, prompt ${g.promptVersion}; ${g.tokensIn} tokens in, ${g.tokensOut} out; ${g.calls} model call${g.calls === 1 ? '' : 's'}, ${seconds} s`;
}

/** One change log entry in one line: what it answers, its summary, and the requirement ids it touched. */
export function changeText(change: PrdChange, feedback: PrdDocument['feedback']): string {
  const about =
    change.feedback === null
      ? 'Unrequested change'
      : `For feedback ${change.feedback}${feedback[change.feedback - 1] ? ` (“${feedback[change.feedback - 1]?.feedback ?? ''}”)` : ''}`;
  const ids = [
    change.added.length > 0 ? `added ${change.added.join(', ')}` : '',
    change.changed.length > 0 ? `changed ${change.changed.join(', ')}` : '',
    change.removed.length > 0 ? `removed ${change.removed.join(', ')}` : '',
    change.sections.length > 0 ? `sections ${change.sections.join(', ')}` : '',
  ].filter((part) => part.length > 0);
  return `${about}: ${change.summary}${ids.length > 0 ? ` [${ids.join('; ')}]` : ''}`;
}
