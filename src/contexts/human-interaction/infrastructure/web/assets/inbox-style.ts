/** /inbox/assets/inbox.css: a file, so the Content-Security-Policy needs no inline style. */
export const INBOX_STYLE = `
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee8; --accent: #2455c3; --ok: #1f7a3f; --warn: #a15c00; --bad: #b42318; --bg: #f6f7fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header.top { display: flex; align-items: center; gap: 1rem; padding: .6rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; color: var(--ink); text-decoration: none; margin-right: auto; }
header.top form { margin: 0; }
header.top nav a { margin-left: 1rem; }
main { max-width: 62rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
a { color: var(--accent); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
.muted { color: var(--muted); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.meta { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; color: var(--muted); margin: 0; }
.meta dt { font-weight: 600; } .meta dd { margin: 0 .5rem 0 0; }
.status { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 700; letter-spacing: .03em; background: #e8ecf5; }
.status-APPROVED { background: #dff3e6; color: var(--ok); }
.status-CLARIFICATION_NEEDED, .status-PRD_VALIDATION { background: #fff1dc; color: var(--warn); }
.status-CANCELLED, .status-FAILED { background: #fde7e5; color: var(--bad); }
.flash { border-left: 4px solid var(--ok); background: #eef8f1; padding: .6rem 1rem; border-radius: 4px; }
.error { border-left: 4px solid var(--bad); background: #fdf0ef; padding: .6rem 1rem; border-radius: 4px; }
form.action { margin: .75rem 0; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
textarea, input[type=password], input[type=text], input[type=email], input[type=url], select { width: 100%; padding: .5rem; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
textarea { min-height: 6rem; }
.field-error { color: var(--bad); margin: .25rem 0 0; }
button { font: inherit; padding: .45rem 1rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
ul.plain { list-style: none; padding: 0; margin: 0; }
li.notification { border-bottom: 1px solid var(--line); padding: .75rem 0; }
li.notification.unread { border-left: 4px solid var(--accent); padding-left: .75rem; }
li.notification.unread .subject { font-weight: 700; }
.new-marker, .unread-count { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .75rem; font-weight: 700; background: var(--accent); color: #fff; vertical-align: middle; }
.actions a { margin-right: 1rem; }
table { border-collapse: collapse; width: 100%; }
.prd td:first-child { white-space: nowrap; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
ol.timeline > li { position: relative; padding: .25rem 0 .75rem 1.25rem; }
ol.timeline > li::before { content: ""; position: absolute; left: -7px; top: .6rem; width: 12px; height: 12px; border-radius: 50%; background: var(--accent); }
dl.qa dt { font-weight: 600; margin-top: .5rem; } dl.qa dd { margin: .1rem 0 0 1rem; }
details.sources { display: inline-block; margin-left: .5rem; font-size: .85rem; color: var(--muted); vertical-align: top; }
details.sources[open] { display: block; margin-left: 0; }
details.sources summary { cursor: pointer; }
details.sources ul { margin: .25rem 0 .25rem 1rem; padding: 0; }
.no-sources { font-size: .85rem; }
ins { background: #dff3e6; color: var(--ok); text-decoration: none; }
del { background: #fde7e5; color: var(--bad); }
.prd-diff h5 { margin: .5rem 0 .1rem; font-size: .95rem; }
dl.generated-by { font-size: .9rem; }
.prd h4 { margin: .9rem 0 .2rem; } .prd ul { margin: .2rem 0; } .prd p { margin: .2rem 0; }
p.empty-section { margin: .6rem 0 .2rem; }
nav.versions { display: flex; flex-wrap: wrap; gap: .75rem; margin: .25rem 0 .5rem; }
.notice { border-left: 4px solid var(--warn); background: #fff8ec; padding: .5rem 1rem; border-radius: 4px; }
details.prd-changes > summary { cursor: pointer; color: var(--accent); font-weight: 600; margin: .5rem 0; }
ol.timeline > li { padding-top: .1rem; padding-bottom: .25rem; } ol.timeline > li::before { top: .45rem; }
#live h2 { margin-top: 1.25rem; }
.story > p.muted { margin: .2rem 0 0; }
p.standing { margin: .75rem 0; }
.card > h2:first-child { margin-top: 0; }
.prd h3 { margin-top: .75rem; }
.prd th, .prd td { padding: .3rem .5rem; }
.prd-tools { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; align-items: center; margin: .25rem 0; }
.prd-tools nav.versions, .prd-tools .prd-export { margin: 0; }
dl.generated-by { font-size: .85rem; }
nav.ops-nav { display: flex; gap: 1rem; margin: .5rem 0 1rem; }
form.search { display: flex; gap: .5rem; align-items: end; } form.search label { flex: 1; margin: 0; } form.search input { width: 100%; padding: .5rem; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
a.button { display: inline-block; padding: .45rem 1rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; text-decoration: none; }
a.button.secondary { background: #fff; color: var(--accent); }
td.count { text-align: right; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dl.facts dd { margin: 0; }
.outcome-ok { color: var(--ok); font-weight: 600; } .outcome-failed { color: var(--bad); font-weight: 600; }
.worker-live { color: var(--ok); font-weight: 600; } .worker-draining { color: var(--muted); font-weight: 600; } .worker-gone { color: var(--bad); font-weight: 600; }
pre.text { white-space: pre-wrap; word-break: break-word; background: #f6f7f9; padding: .75rem; border-radius: 6px; }
.inbox-tools { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; margin-bottom: .5rem; }
nav.inbox-filter { display: flex; gap: 1rem; } form.mark-all-read { margin: 0; }
.state { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .75rem; font-weight: 600; vertical-align: middle; }
.state-needs-you { background: #fff1dc; color: var(--warn); }
.state-done { background: #dff3e6; color: var(--ok); }
.state-superseded, .state-task-finished { background: #eceef1; color: var(--muted); }
li.notification:not([data-state="needs-you"]) .subject { font-weight: 400; }
/* Print (and "Save as PDF"): the document only, black on white; a requirement, story or list item is never split across pages. */
@media print {
  header.top, nav, form, button, a.button, .prd-export, .flash, .error, #answer, #decide { display: none !important; }
  * { color: #000 !important; background: #fff !important; box-shadow: none !important; }
  body { font-size: 11pt; }
  main { max-width: none; margin: 0; padding: 0; }
  .card { border: none; padding: 0; margin: .5rem 0; }
  a { text-decoration: none; }
  details.sources { display: block; margin-left: 0; }
  details.sources summary { display: none; }
  /* A folded <details> prints its sources too where the browser supports ::details-content (Chromium 131+). */
  details.sources::details-content { content-visibility: visible; display: block; }
  tr, li, dt, dd, .story, details.sources { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
  th, td { border-bottom: 1px solid #000; }
  ins { text-decoration: underline; } del { text-decoration: line-through; }
}
`;
