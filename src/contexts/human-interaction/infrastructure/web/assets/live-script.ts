/**
 * /inbox/assets/live.js: keeps an open task page current. The server pushes the task's state stamp
 * over server-sent events; when it differs from the page's, the script fetches the freshly
 * rendered live section (status, forms, Q&A, PRD, timeline) and swaps it in, no reload. Served as
 * a file so the Content-Security-Policy can forbid inline script.
 */
export const LIVE_SCRIPT = `'use strict';
(function () {
  var live = document.getElementById('live');
  if (!live || !window.EventSource || !window.fetch) return;
  var base = '/inbox/tasks/' + encodeURIComponent(live.getAttribute('data-task'));
  // A page opened on an earlier PRD version (?version=n) keeps showing that version as it updates.
  var version = live.getAttribute('data-version');
  var livePath = base + '/live' + (version ? '?version=' + encodeURIComponent(version) : '');
  var queue = Promise.resolve();
  function stampOf() {
    var current = document.getElementById('live');
    return current ? current.getAttribute('data-stamp') : null;
  }
  function refresh() {
    return fetch(livePath, { credentials: 'same-origin', headers: { accept: 'text/html' } }).then(function (response) {
      if (response.redirected || !response.ok) { window.location.reload(); return; }
      return response.text().then(function (text) {
        var template = document.createElement('template');
        template.innerHTML = text.trim();
        var fresh = template.content.firstElementChild;
        var current = document.getElementById('live');
        if (fresh && current && fresh.getAttribute('data-stamp') !== current.getAttribute('data-stamp')) {
          current.replaceWith(fresh);
          document.body.setAttribute('data-live-updates', String(Number(document.body.getAttribute('data-live-updates') || '0') + 1));
        }
      });
    });
  }
  var source = new EventSource(base + '/events');
  source.addEventListener('task', function (event) {
    var state = JSON.parse(event.data);
    if (state.stamp === stampOf()) return;
    queue = queue.then(refresh).catch(function () { /* the next event or re-check tries again */ });
  });
  source.addEventListener('open', function () { document.body.setAttribute('data-live', 'connected'); });
  source.addEventListener('error', function () { document.body.setAttribute('data-live', 'reconnecting'); });
  window.addEventListener('pagehide', function () { source.close(); });
})();
`;
