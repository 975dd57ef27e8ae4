import { z } from 'zod';
import type { ApiOperation } from './api-operation.js';

const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('A stable TBX_ERR_* code'),
    message: z.string().describe('What went wrong and what to do, in plain words'),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** Path and query parameters as OpenAPI lists them, from the operation's object schemas. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

/**
 * The OpenAPI 3.1 document of the JSON API, built from the operations' own zod schemas: the
 * same objects that validate requests, so the document says exactly what the API accepts.
 */
export function buildOpenApi(operations: ApiOperation[], info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  for (const operation of operations) {
    const status = String(operation.status ?? 200);
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = {
      operationId: operation.id,
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      tags: [operation.tag],
      'x-toolbox-access': operation.access,
      parameters: [...parameters(operation.params, 'path'), ...parameters(operation.query, 'query')],
      ...(operation.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } } } }
        : {}),
      responses: {
        [status]: {
          description: 'Success',
          content: {
            [operation.produces ?? 'application/json']: {
              schema: operation.produces ? { type: 'string' } : jsonSchema(operation.response, 'output'),
            },
          },
        },
        '400': errorResponse('The request is not valid; `fields` names each problem'),
        '401': errorResponse('Not signed in and no valid API token'),
        ...(operation.access === 'admin' ? { '403': errorResponse('Administrators only (or a session call without x-csrf-token)') } : {}),
        '409': errorResponse('In conflict with the current state (e.g. changed meanwhile, or set in the configuration file)'),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Technician Toolbox API',
      version: info.version,
      description:
        'Every admin console action, as JSON. Authenticate with an API token (`Authorization: Bearer tbx_…`, created under Users and API tokens) or a browser session (then send the page’s CSRF token as `x-csrf-token` on writes).',
    },
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'An API token from the admin console' },
        session: { type: 'apiKey', in: 'cookie', name: 'tbx_session' },
      },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
    security: [{ apiToken: [] }, { session: [] }],
    paths,
  };
}
