import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { deadLetterListQuery, deadLetterSelector } from './admin.routes';

/** The /admin dead-letter routes for the OpenAPI document (see docs.routes.ts). */

const deadLetter = z
  .object({
    id: z.string(),
    consumer: z.string(),
    message: z.unknown().meta({ description: 'The message as it was parked (its envelope)' }),
    messageType: z.string(),
    errorClass: z.string(),
    errorMessage: z.string(),
    attempts: z.number().int(),
    firstFailedAt: z.string(),
    lastFailedAt: z.string(),
  })
  .meta({ id: 'DeadLetter' });

const adminError = z.object({ error: z.string(), message: z.string().optional() }).meta({ id: 'AdminError' });
const badSelector = z.object({ error: z.literal('invalid_request'), issues: z.array(z.object({ field: z.string(), message: z.string() })) });
const consumerPath = z.object({ consumer: z.string().meta({ description: 'e.g. task-management.commands' }) });

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const ok = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => ({ description, content: json(schema) });
const fail = (description: string, schema: z.ZodType = adminError): ZodOpenApiResponseObject => ({ description, content: json(schema) });

function operation(
  summary: string,
  responses: ZodOpenApiOperationObject['responses'],
  extra: Partial<ZodOpenApiOperationObject> = {},
): ZodOpenApiOperationObject {
  return {
    summary,
    tags: ['dead letters (admin)'],
    security: [{ bearer: [] }],
    responses: {
      ...responses,
      400: fail('A bad selector or query: each issue names the field', badSelector),
      401: fail('No valid bearer token'),
      403: fail('Not an admin'),
      503: fail('The broker is unavailable'),
    },
    ...extra,
  };
}

export const adminApiPaths: ZodOpenApiPathsObject = {
  '/admin/dead-letters': {
    get: operation(
      'Dead letters of every consumer, or of one',
      { 200: ok('Dead letters', z.object({ deadLetters: z.array(deadLetter) })) },
      { requestParams: { query: deadLetterListQuery } },
    ),
  },
  '/admin/dead-letters/{consumer}/{id}': {
    get: operation(
      'One dead letter with its message',
      { 200: ok('The dead letter', z.object({ deadLetter })), 404: fail('No such dead letter') },
      {
        requestParams: { path: consumerPath.extend({ id: z.string() }) },
      },
    ),
  },
  '/admin/dead-letters/{consumer}/replay': {
    post: operation(
      "Put dead letters back on their consumer's queue; no selector means all",
      { 200: ok('How many', z.object({ replayed: z.number().int() })) },
      {
        requestParams: { path: consumerPath },
        requestBody: { content: json(deadLetterSelector) },
      },
    ),
  },
  '/admin/dead-letters/{consumer}': {
    delete: operation(
      'Delete dead letters for good; no selector means all',
      { 200: ok('How many', z.object({ purged: z.number().int() })) },
      {
        requestParams: { path: consumerPath, query: deadLetterSelector },
      },
    ),
  },
};
