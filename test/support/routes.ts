import type { FastifyInstance } from 'fastify';

export interface RouteSpec {
  readonly method: string;
  /** fastify's form: `/api/tasks/:taskId`. */
  readonly url: string;
}

/**
 * Every route fastify serves (HEAD, which fastify adds to each GET, left out), read from
 * `printRoutes`' tree: each line is one edge, indented four columns a level, with its methods.
 */
export function routesOf(http: FastifyInstance, under = '/'): RouteSpec[] {
  const routes: RouteSpec[] = [];
  const stack: string[] = [];
  for (const line of http.printRoutes({ commonPrefix: false }).split('\n')) {
    const edge = /^(?<indent>.*?)[├└]── (?<segment>\S+)(?: \((?<methods>[^)]*)\))?/.exec(line)?.groups;
    if (!edge) continue;
    const depth = (edge['indent'] ?? '').length / 4;
    stack.length = depth;
    stack.push(edge['segment'] ?? '');
    const url = stack.join('');
    for (const method of (edge['methods'] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m && m !== 'HEAD')) {
      if (url.startsWith(under)) routes.push({ method, url });
    }
  }
  return routes;
}

/** `/api/tasks/:taskId` → `/api/tasks/{taskId}`, as OpenAPI writes it. */
export const openApiPath = (url: string): string => url.replace(/:(\w+)/g, '{$1}');
