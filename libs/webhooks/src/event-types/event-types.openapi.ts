import type { OpenAPIObject } from '@nestjs/swagger';
import { EVENT_CATALOG } from '@strata/events';

/**
 * The catalog in the OpenAPI document. The document is OpenAPI 3.0, which has no `webhooks`
 * section (3.1 has), so it goes under `x-webhooks`, the extension Redoc and other renderers read
 * for 3.0: one POST per event type, its body the payload envelope with that type's `data` schema.
 */
export function documentEventTypes(document: OpenAPIObject): void {
  const webhooks: Record<string, unknown> = {};
  for (const { type, description, schema, example } of EVENT_CATALOG) {
    webhooks[type] = {
      post: {
        operationId: `event_${type.replace(/\./g, '_')}`,
        summary: type,
        // Strata calls the receiver: no API key; the request is signed (Standard Webhooks headers).
        security: [],
        description,
        tags: ['webhooks'],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['id', 'type', 'timestamp', 'data'],
                properties: {
                  id: { type: 'string', example: 'evt_0196f0e48a5b7c3d9e2f1a2b3c4d5e6f' },
                  type: { type: 'string', enum: [type] },
                  timestamp: { type: 'string', format: 'date-time' },
                  data: toOpenApi30(schema),
                },
              },
              example: { id: 'evt_0196f0e48a5b7c3d9e2f1a2b3c4d5e6f', type, timestamp: '2026-01-15T09:30:00.000Z', data: example },
            },
          },
        },
        responses: { '2XX': { description: 'Any 2xx acknowledges the delivery; anything else is retried on WEBHOOK_RETRY_SCHEDULE' } },
      },
    };
  }
  (document as OpenAPIObject & { 'x-webhooks'?: unknown })['x-webhooks'] = webhooks;
}

/** JSON Schema's `type: [T, 'null']` as OpenAPI 3.0 writes it (`type: T, nullable: true`), at any depth. */
function toOpenApi30(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApi30);
  if (schema === null || typeof schema !== 'object') return schema;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) converted[key] = toOpenApi30(value);
  const type = converted.type;
  if (Array.isArray(type) && type.includes('null')) {
    const rest = type.filter((entry) => entry !== 'null');
    converted.type = rest.length === 1 ? rest[0] : rest;
    converted.nullable = true;
  }
  return converted;
}
