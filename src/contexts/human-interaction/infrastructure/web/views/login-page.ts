import { html } from '../html';
import { page } from './layout';

/** Sign-in with an API token (the same token the CLI and the API use). */
export function loginPage(options: { readonly next: string; readonly error?: string }): string {
  return page(
    { title: 'Sign in', user: null },
    html`<h1>Sign in</h1>
${options.error && html`<p class="error" role="alert">${options.error}</p>`}
<form class="card" method="post" action="/inbox/login">
<input type="hidden" name="next" value="${options.next}">
<label for="token">Your API token</label>
<input type="password" id="token" name="token" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form>
<p class="muted">An administrator gives each person a token; the same token works with the API and the CLI.</p>`,
  );
}
