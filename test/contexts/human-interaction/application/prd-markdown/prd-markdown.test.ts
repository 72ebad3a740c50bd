import { markdownText, prdFileName, prdMarkdown } from '../../../../../src/contexts/human-interaction/application/prd-markdown';
import { aPrdDocument } from '../../../../support/prd-document';
import { PRD_SECTIONS } from '../../../../support/prd-sections';

/** Lines of the Markdown that are structure: headings, list items, links, HTML. */
const headings = (md: string) => md.split('\n').filter((line) => /^#{1,6} /.test(line));

describe('the PRD as Markdown', () => {
  it('keeps what people and the agent wrote from becoming headings, links, HTML, code or emphasis', () => {
    const hostile = '# Owned\n## Also\n<script>alert(1)</script> [click](https://evil.example) ![img](x.png) `code` *bold* _em_ | cell ~~gone~~ & &amp;';
    const prd = aPrdDocument({
      title: '# Not a second heading <b>',
      problem: hostile,
      goals: [{ text: '- not a nested item\n1. nor a numbered one', sources: [{ kind: 'request', quote: '<img src=x onerror=alert(1)>' }] }],
      risks: [{ text: '> not a quote', sources: [] }],
    });
    const md = prdMarkdown(1, prd);

    // The only headings are the document's own: the title line and the section headings.
    expect(headings(md)).toEqual(['# \\# Not a second heading &lt;b&gt;', ...PRD_SECTIONS.map((h) => `## ${h}`)]);
    expect(md).not.toMatch(/<[a-z/]/i);
    expect(md).not.toMatch(/(?<!\\)\[click(?<!\\)\]/);
    expect(md).toContain(
      '## Problem\n\n\\# Owned\\\n\\## Also\\\n&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\[click\\]\\(https://evil.example\\) \\!\\[img\\]\\(x.png\\) \\`code\\` \\*bold\\* \\_em\\_ \\| cell \\~\\~gone\\~\\~ &amp; &amp;amp;',
    );
    expect(md).toContain('- \\- not a nested item 1. nor a numbered one\n  - Source: request: “&lt;img src=x onerror=alert\\(1\\)&gt;”');
    expect(md).toContain('- &gt; not a quote _(no source)_');
  });

  it('escapes a line start that would make a list, heading or setext underline, and nothing a reader needs', () => {
    expect(markdownText('1. first')).toBe('1\\. first');
    expect(markdownText('2) second')).toBe('2\\) second');
    expect(markdownText('+ plus')).toBe('\\+ plus');
    expect(markdownText('===')).toBe('\\===');
    expect(markdownText('Load in under 2 seconds, for 30 days.')).toBe('Load in under 2 seconds, for 30 days.');
    expect(markdownText('a\r\nb\nc')).toBe('a b c');
  });

  it('keeps the paragraphs and line breaks of the problem and the request, each line escaped', () => {
    const md = prdMarkdown(1, aPrdDocument({ originalRequest: 'Better dashboard\n\nFirst line\n# second line\n\n\n  - third paragraph  ' }));
    expect(md).toContain('## Original request\n\nBetter dashboard\n\nFirst line\\\n\\# second line\n\n\\- third paragraph\n');
  });

  it('names the file after the task title and version', () => {
    expect(prdFileName('Better dashboard', 2)).toBe('better-dashboard-v2.md');
    expect(prdFileName('Café — "quoted" / ../etc', 1)).toBe('cafe-quoted-etc-v1.md');
    expect(prdFileName('日本語', 3)).toBe('prd-v3.md');
  });
});
