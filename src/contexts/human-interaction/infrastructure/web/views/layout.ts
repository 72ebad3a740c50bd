import { hasRole, type User } from '../../../domain/user';
import { html, type SafeHtml } from '../html';

export interface PageOptions {
  readonly title: string;
  /** Who is signed in (shows "sign out"); null on pages reached by a link or before sign-in. */
  readonly user: User | null;
  /** Loads the script that keeps a task page live. */
  readonly live?: boolean;
}

/** The document around every page: one stylesheet, at most one script, both files (see the CSP). */
export function page(options: PageOptions, body: SafeHtml): string {
  const { title, user, live } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Refinery</title>
<link rel="stylesheet" href="/inbox/assets/inbox.css">
${live && html`<script src="/inbox/assets/live.js" defer></script>`}
</head>
<body>
<header class="top">
<a class="brand" href="/inbox">Refinery inbox</a>
${user && html`<nav class="top-nav">${hasRole(user, 'requester') && html`<a href="/inbox/requests/new">New request</a>`}<a href="/inbox/settings">Settings</a>${hasRole(user, 'admin') && html`<a href="/inbox/ops">Ops</a>`}</nav>`}
${user && html`<span class="muted">Signed in as ${user.name}</span><form method="post" action="/inbox/logout"><button class="secondary" type="submit">Sign out</button></form>`}
</header>
<main>
${body}
</main>
</body>
</html>
`.toString();
}

/** A page that only says something, with a way on: errors, refusals, confirmations. */
export function messagePage(options: PageOptions & { readonly heading: string; readonly kind?: 'error' | 'flash' }, lines: SafeHtml, next: SafeHtml): string {
  return page(
    options,
    html`<h1>${options.heading}</h1>
<div class="${options.kind ?? 'error'}">${lines}</div>
<p>${next}</p>`,
  );
}
