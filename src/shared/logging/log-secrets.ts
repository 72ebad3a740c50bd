import pino from 'pino';

/**
 * `scheme://[userinfo@]host[:port][/path][?query][#fragment]`. The userinfo part is greedy up to the
 * last `@` before the path, as URL parsers read it (a password may hold `@`).
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s/?#]*@)?(\[[0-9a-f:.]*\](?::[0-9]+)?|[^\s/?#'"<>`\\)\]]*)[^\s'"<>`\\)\]]*/gi;

/**
 * Every URL in `text` cut to its scheme, host and port: no user name or password, no path, no query,
 * no fragment (a webhook URL's path is often its secret; a database URL carries a password).
 */
export function scrubUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_url, scheme: string, host: string) => `${scheme}://${host}`);
}

/**
 * Fields database errors carry that repeat what a statement wrote (typeorm's QueryFailedError and
 * pg's DatabaseError): the values bound, the statement, and PostgreSQL's detail ("Key (email)=(…)").
 */
const STATEMENT_FIELDS = ['parameters', 'query', 'detail', 'where', 'internalQuery', 'hint'] as const;
/** Parameter values shorter than this are not cut out of messages: they would garble them ("1"). */
const MIN_REDACTED_LENGTH = 4;
const MAX_DEPTH = 3;

function parameterValues(error: object): string[] {
  const parameters = (error as { parameters?: unknown }).parameters;
  if (!Array.isArray(parameters)) return [];
  return parameters
    .map((p: unknown) => (typeof p === 'string' ? p : p !== null && typeof p === 'object' ? JSON.stringify(p) : String(p)))
    .filter((p) => p.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length);
}

function cleanText(text: string, values: readonly string[]): string {
  let cleaned = text;
  for (const value of values) cleaned = cleaned.split(value).join('[redacted]');
  return scrubUrls(cleaned);
}

function cleanValue(value: unknown, values: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return cleanText(value, values);
  if (value instanceof Error) return serializeError(value, depth + 1, values);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => cleanValue(v, values, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!(STATEMENT_FIELDS as readonly string[]).includes(key)) out[key] = cleanValue(v, values, depth + 1);
  return out;
}

function serializeError(error: Error, depth: number, inherited: readonly string[]): Record<string, unknown> {
  // The values bound to a failed statement are cut out of its message (pg repeats some: `invalid input syntax for type uuid: "…"`).
  const driver = (error as { driverError?: unknown }).driverError;
  const values = [...inherited, ...parameterValues(error), ...(driver !== null && typeof driver === 'object' ? parameterValues(driver) : [])];
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(serialized)) {
    if ((STATEMENT_FIELDS as readonly string[]).includes(key)) continue;
    out[key] = depth >= MAX_DEPTH && typeof v === 'object' ? '[nested]' : cleanValue(v, values, depth);
  }
  return out;
}

/**
 * pino's `err` (and `error`) serializer: an Error as pino shows it, less what would leak a secret:
 * no bound parameters, statement or detail of a database error (its driver error and causes
 * likewise), the parameter values cut out of its message and stack, and every URL in a message
 * cut to scheme, host and port. A string is cleaned of URLs; a plain object field by field.
 */
export function serializeErr(value: unknown): unknown {
  if (value instanceof Error) return serializeError(value, 0, []);
  return cleanValue(value, [], 0);
}
