import { z } from 'zod';
import { cutText, NUL_PROBLEM, storableText, storedText, SURROGATE_PROBLEM, textProblem, withTextRule } from '../../../src/shared/kernel/text';

describe('textProblem', () => {
  it.each([
    ['plain text', 'Export invoices as CSV'],
    ['the empty string', ''],
    ['accents, CJK and a tab or newline', 'Café 東京\tline\nnext'],
    ['a surrogate pair (an emoji)', 'ship it \ud83d\ude80'],
    ['U+FFFD, what a broken byte decodes to', 'bad \ufffd byte'],
  ])('accepts %s', (_name, text) => {
    expect(textProblem(text)).toBeUndefined();
  });

  it.each([
    ['NUL alone', '\u0000'],
    ['NUL in the middle', 'ab\u0000cd'],
    ['NUL next to a valid pair', '\ud83d\ude80\u0000'],
  ])('refuses %s', (_name, text) => {
    expect(textProblem(text)).toBe(NUL_PROBLEM);
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a high surrogate at the end', 'text \udbff'],
    ['a lone low surrogate', '\udc00 text'],
    ['two high surrogates', '\ud83d\ud83d'],
    ['a reversed pair', '\ude80\ud83d'],
    ['a pair followed by a lone low one', '\ud83d\ude80\ude80'],
  ])('refuses %s', (_name, text) => {
    expect(textProblem(text)).toBe(SURROGATE_PROBLEM);
  });
});

describe('storedText', () => {
  const schema = z.strictObject({ title: storedText().trim().min(1).max(10), link: withTextRule(z.url()).optional() });
  const issuesOf = (input: unknown) => schema.safeParse(input).error?.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

  it('keeps the checks chained after it (trim, min, max) and parses good text as before', () => {
    expect(schema.parse({ title: '  hello ' })).toEqual({ title: 'hello' });
    expect(issuesOf({ title: '   ' })).toEqual([{ path: 'title', message: expect.stringContaining('>=1') }]);
    expect(issuesOf({ title: 'x'.repeat(11) })).toEqual([{ path: 'title', message: expect.stringContaining('<=10') }]);
  });

  it('names the field that holds NUL or a lone surrogate', () => {
    expect(issuesOf({ title: 'a\u0000b' })).toEqual([{ path: 'title', message: NUL_PROBLEM }]);
    expect(issuesOf({ title: 'a\ud800' })).toEqual([{ path: 'title', message: SURROGATE_PROBLEM }]);
  });

  it('adds the rule to a string format', () => {
    expect(schema.parse({ title: 'ok', link: 'https://example.com/hook' }).link).toBe('https://example.com/hook');
    expect(issuesOf({ title: 'ok', link: 'https://example.com/\u0000' })).toEqual([{ path: 'link', message: NUL_PROBLEM }]);
    expect(issuesOf({ title: 'ok', link: 'https://example.com/\udc00' })).toEqual([{ path: 'link', message: SURROGATE_PROBLEM }]);
  });
});

describe('cutText', () => {
  it('keeps text within the length as it is', () => {
    expect(cutText('short', 10)).toBe('short');
    expect(cutText('exactly', 7)).toBe('exactly');
  });

  it('cuts at the length between characters', () => {
    expect(cutText('abcdef', 3)).toBe('abc');
    expect(cutText('ab\ud83d\ude80cd', 4)).toBe('ab\ud83d\ude80');
  });

  it('stops before a surrogate pair the cut would split, leaving text that may be stored', () => {
    const cut = cutText('ab\ud83d\ude80cd', 3);
    expect(cut).toBe('ab');
    expect(textProblem(cut)).toBeUndefined();
  });
});

describe('storableText', () => {
  it('shows NUL and lone surrogates as U+FFFD and keeps everything else', () => {
    expect(storableText('a\u0000b \ud800 \udc00 \ud83d\ude80 caf\u00e9')).toBe('a\ufffdb \ufffd \ufffd \ud83d\ude80 caf\u00e9');
    expect(textProblem(storableText('\u0000\ud800\u0000'))).toBeUndefined();
  });
});
