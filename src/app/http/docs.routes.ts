import swagger, { type StaticDocumentSpec } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createDocument } from 'zod-openapi';
import { humanInteractionApiPaths } from '../../contexts/human-interaction/human-interaction.module';
import { adminApiPaths } from './admin.api-description';
import { workersApiPaths } from './workers.routes';

export interface DocsOptions {
  /** Whether this process serves /api (the human-interaction context runs here). */
  readonly humanInteraction: boolean;
}

// The UI's assets are served from this service (no CDN); its scripts are files, none inline.
const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

/** The OpenAPI document of what this process serves, generated from the routes' zod schemas. */
export function openApiDocument(options: DocsOptions): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Refinery API',
      version: '1.0.0',
      description:
        'Turns feature requests into approved PRDs. Every route takes `Authorization: Bearer <token>`: a configured token (REFINERY_USERS) or one an admin issued (POST /api/admin/tokens). 401 without a valid token, 403 when the caller may not do this, 429 (with Retry-After) once too many authentications failed from the calling address (docs/security.md "Tokens and roles"). Bodies are JSON; a body larger than BODY_LIMIT_BYTES gets 413.',
    },
    tags: [
      { name: 'tasks', description: 'Requests, clarifications and PRD decisions' },
      { name: 'notifications', description: "A person's in-app inbox" },
      { name: 'channels', description: 'Where a person is notified besides the inbox: email, webhook' },
      { name: 'admin', description: 'API tokens (admin role)' },
      { name: 'dead letters (admin)', description: 'Messages a consumer could not handle (admin role)' },
      { name: 'workers (admin)', description: 'The worker registry: every process, its heartbeat and status (admin role)' },
    ],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token' } } },
    paths: { ...(options.humanInteraction ? humanInteractionApiPaths : {}), ...adminApiPaths, ...workersApiPaths },
  });
}

/**
 * GET /docs/json: the document; GET /docs: Swagger UI reading it. No token needed: the document
 * describes the API, it grants nothing.
 */
export function registerDocsRoutes(app: FastifyInstance, options: DocsOptions): void {
  // Built once at start: a schema that zod-openapi cannot describe fails start-up, not a request.
  const document = openApiDocument(options);
  // zod-openapi types the document as OpenAPI 3.1; the plugin's types stop at 3.0. Same JSON shape.
  void app.register(swagger, { mode: 'static', specification: { document: document as unknown as StaticDocumentSpec['document'] } });
  void app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP, uiConfig: { docExpansion: 'list', deepLinking: true } });
}
