import { injectable, inject } from 'inversify';
import type { Assessment, AssessmentInput, ProductManagerAgent } from '../../domain/product-manager-agent';
import { PRODUCT_DEFINITION } from '../../product-definition.tokens';
import type { ProductDefinitionOptions } from '../../product-definition.options';
import { ELEMENTS, questionFor } from './clarifying-questions';
import { analyseRequest } from './request-analysis';
import { writePrd } from './prd-writer';

/** Below this many distinct meaningful words in description + answers, there is nothing to write about. */
const MIN_MEANINGFUL_WORDS = 3;

/**
 * The default product manager: no network, deterministic, explainable (see request-analysis.ts for
 * how it reads a request). Policy:
 * - it asks one specific question per missing element, never again about an element the requester
 *   already answered, and only while fewer than `maxClarificationRounds` rounds were asked;
 * - once a reviewer rejected a PRD it writes the next version (the feedback is the new input);
 * - otherwise it writes the PRD, listing what is still missing as open questions;
 * - it gives up only when the request has no usable content and it may not (or has nothing left
 *   to) ask.
 * Each version is written afresh from the request, the answers and all feedback (so `previousPrd`
 * is not needed); every feedback item lands in a section and in feedbackAddressed, which is what
 * makes the next version visibly different.
 */
@injectable()
export class RuleBasedProductManagerAgent implements ProductManagerAgent {
  constructor(@inject(PRODUCT_DEFINITION.Options) private readonly options: Pick<ProductDefinitionOptions, 'maxClarificationRounds'>) {}

  async assess(input: AssessmentInput): Promise<Assessment> {
    const analysis = analyseRequest(input);
    const missing = ELEMENTS.filter((element) => !analysis.present.has(element));
    const mayAsk = input.feedback.length === 0 && input.clarificationRounds < this.options.maxClarificationRounds;
    const toAsk = mayAsk ? missing.filter((element) => !analysis.asked.has(element)) : [];
    if (toAsk.length > 0) return { kind: 'questions', questions: toAsk.map((element) => questionFor(element, analysis.subject)) };
    if (analysis.meaningfulWordCount < MIN_MEANINGFUL_WORDS && input.feedback.length === 0) {
      return {
        kind: 'give-up',
        reason: `The request "${input.title}" has too little content to write a PRD from (${analysis.meaningfulWordCount} meaningful words after ${input.clarificationRounds} clarification round(s)).`,
      };
    }
    return { kind: 'prd', prd: writePrd(input, analysis, missing) };
  }
}
