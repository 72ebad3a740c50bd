import { fieldOfQuestion, renderQuestion } from '../../../../src/contexts/product-definition/domain/clarification';
import { CLARIFICATION_FIELDS } from '../../../../src/contexts/product-definition/domain/product-manager-agent';

describe('questions as the requester reads them', () => {
  it('say what they are about and why, and give back their field', () => {
    const text = renderQuestion({ field: 'audience', question: 'Who runs the export?', why: 'The stories need a role.' });

    expect(text).toBe('About who it is for: Who runs the export? Why it matters: The stories need a role.');
    for (const field of CLARIFICATION_FIELDS) expect(fieldOfQuestion(renderQuestion({ field, question: 'Q?', why: 'W.' }))).toBe(field);
  });

  it('know no field for a question written some other way', () => {
    expect(fieldOfQuestion('Who will use it?')).toBeUndefined();
    expect(fieldOfQuestion('About the weather: is it nice? Why it matters: picnic.')).toBeUndefined();
  });
});
