import { escapeHtml, html, SafeHtml } from '../../../../../src/contexts/human-interaction/infrastructure/web/html';

describe('the html template', () => {
  it('escapes every interpolated text, in content and in attribute values', () => {
    const typed = `<script>alert("x")</script><b onclick='y'>&amp;</b>\``;
    const out = html`<p title="${typed}">${typed}</p>`.toString();
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b onclick=&#39;y&#39;&gt;&amp;amp;&lt;/b&gt;&#96;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b onclick=&#39;y&#39;&gt;&amp;amp;&lt;/b&gt;&#96;</p>',
    );
    expect(out).not.toContain('<script>');
  });

  it('keeps nested html as markup but still escapes what is inside it', () => {
    const items = ['a<b', 'c&d'];
    const out = html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`.toString();
    expect(out).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    const hidden = false as boolean;
    expect(html`[${null}${undefined}${hidden && html`<i>no</i>`}${0}${12}]`.toString()).toBe('[012]');
  });

  it('does not treat a string that looks like markup, or an object with toString, as safe', () => {
    const sneaky = { toString: () => '<img src=x onerror=alert(1)>' };
    expect(html`${sneaky}`.toString()).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(html`${new SafeHtml('<br>')}`.toString()).toBe('<br>');
    expect(escapeHtml('plain text')).toBe('plain text');
  });
});
