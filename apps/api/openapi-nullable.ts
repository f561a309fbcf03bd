import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';

/**
 * Nullable references in the form OpenAPI 3.0.3 gives them a meaning. @nestjs/swagger writes a
 * nullable property of a DTO type as `{ nullable: true, type: 'object', allOf: [{ $ref }] }`; by
 * 3.0.3 `nullable` only widens the `type` of its own schema, and the `allOf` still refuses null,
 * so strict validators reject the `null` the API sends. Rewritten as
 * `oneOf: [{ $ref }, { nullable: true, enum: [null] }]` (the 3.0.3 spelling of "null"), which
 * validators accept and generators turn into `Dto | null`.
 */
export function documentNullableReferences(document: OpenAPIObject): void {
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const schema = value as SchemaObject;
    if (schema.nullable === true && schema.allOf?.length === 1 && '$ref' in schema.allOf[0]) {
      const reference = schema.allOf[0];
      delete schema.allOf;
      delete schema.type;
      delete schema.nullable;
      schema.oneOf = [reference, { type: 'object', nullable: true, enum: [null] }];
    }
    for (const child of Object.values(schema)) visit(child);
  };
  visit(document.paths);
  visit(document.components);
}
