import { z } from 'zod';
import { CliError, EXIT } from './exit-codes';
import { errorBody, issuesText, requestJson, type ServiceConnection } from './service-request';

export const deadLetterView = z.object({
  id: z.string(),
  consumer: z.string(),
  message: z.unknown(),
  messageType: z.string(),
  errorClass: z.string(),
  errorMessage: z.string(),
  attempts: z.number(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
});
export type DeadLetterView = z.infer<typeof deadLetterView>;

export interface Selector {
  readonly id?: string;
  readonly type?: string;
}

/** The admin HTTP API (`/admin/dead-letters`), with its answers turned into values or CliErrors. */
export class AdminClient {
  constructor(private readonly options: ServiceConnection) {}

  async list(consumer?: string): Promise<DeadLetterView[]> {
    const query = consumer === undefined ? '' : `?${new URLSearchParams({ consumer }).toString()}`;
    const body = await this.request('GET', `/admin/dead-letters${query}`);
    return z.object({ deadLetters: z.array(deadLetterView) }).parse(body).deadLetters;
  }

  async show(consumer: string, id: string): Promise<DeadLetterView> {
    const body = await this.request('GET', `/admin/dead-letters/${encodeURIComponent(consumer)}/${encodeURIComponent(id)}`);
    return z.object({ deadLetter: deadLetterView }).parse(body).deadLetter;
  }

  async replay(consumer: string, selector: Selector): Promise<number> {
    const body = await this.request('POST', `/admin/dead-letters/${encodeURIComponent(consumer)}/replay`, selector);
    return z.object({ replayed: z.number() }).parse(body).replayed;
  }

  async purge(consumer: string, selector: Selector): Promise<number> {
    const query = new URLSearchParams(Object.entries(selector).filter((entry): entry is [string, string] => typeof entry[1] === 'string')).toString();
    const body = await this.request('DELETE', `/admin/dead-letters/${encodeURIComponent(consumer)}${query ? `?${query}` : ''}`);
    return z.object({ purged: z.number() }).parse(body).purged;
  }

  private request(method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown): Promise<unknown> {
    return requestJson(this.options, method, path, payload, failure);
  }
}

function failure(status: number, body: unknown, text: string): CliError {
  const parsed = errorBody.safeParse(body);
  const detail = parsed.success ? parsed.data : {};
  if (status === 401) return new CliError(EXIT.unauthorised, 'not authorised (401): the server wants a token; pass --token or set REFINERY_TOKEN');
  if (status === 403) return new CliError(EXIT.unauthorised, "forbidden (403): the token is unknown or not an admin's");
  if (status === 400 && detail.issues?.length) return new CliError(EXIT.usage, `rejected (400): ${issuesText(detail.issues)}`);
  const reason = detail.message ?? detail.error ?? (text.trim().slice(0, 200) || 'no details');
  return new CliError(status === 400 ? EXIT.usage : EXIT.failure, `${status === 404 ? 'not found' : 'server error'} (${status}): ${reason}`);
}
