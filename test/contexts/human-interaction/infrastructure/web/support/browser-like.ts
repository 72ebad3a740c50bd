import { tokenOf } from '../../../../../support/app';

export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly location: string | null;
}

/**
 * What a browser does with the web inbox, over real HTTP: keeps the session cookie, sends forms
 * url-encoded from the page's own origin, and does not follow redirects (tests assert them).
 */
export class BrowserLike {
  private cookie: string | undefined;

  constructor(readonly baseUrl: string) {}

  get sessionCookie(): string | undefined {
    return this.cookie;
  }

  set sessionCookie(value: string | undefined) {
    this.cookie = value;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', path, undefined, headers);
  }

  /** A form post from this site's own page (the browser says so with Sec-Fetch-Site). */
  async post(
    path: string,
    form: Record<string, string | string[]> = {},
    headers: Record<string, string> = { 'sec-fetch-site': 'same-origin', origin: 'null' },
  ): Promise<Page> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    return this.request('POST', path, body.toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  async signIn(userId: string): Promise<Page> {
    const token = tokenOf(userId) || 'unknown';
    const page = await this.post('/inbox/login', { token, next: '/inbox' });
    if (page.status !== 303) throw new Error(`${userId} could not sign in: ${page.status}`);
    return page;
  }

  private async request(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('refinery_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0] ?? '';
      this.cookie = value === 'refinery_session=' ? undefined : value;
    }
    return { status: response.status, headers: response.headers, body: await response.text(), location: response.headers.get('location') };
  }
}

/** The `action` of every `<form method="post">` on a page. */
export function postFormActions(page: string): string[] {
  return [...page.matchAll(/<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]*)"/g)].map((m) => m[1] ?? '');
}

/** The path part of an absolute link the API returns (the test talks to the same server). */
export const pathOf = (url: string): string => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
