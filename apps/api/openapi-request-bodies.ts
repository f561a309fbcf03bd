import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

type Schema = SchemaObject | ReferenceObject;

/**
 * Makes request-body schemas say what the server does with a body:
 *
 * - Unknown fields are rejected with a 400 (the validation pipe forbids non-whitelisted
 *   properties; the multipart reader refuses unknown parts), so every object a body holds is
 *   `additionalProperties: false`, unless it declares what it accepts (a free `metadata` map).
 * - A `default` in a request schema tells generators the field always has a value, and typed
 *   clients then require it; for a PATCH body it is also untrue (a PATCH without `status` keeps
 *   the status, it does not reset it). Defaults are applied by the services on create only, so the
 *   keyword is removed from every body and the create default is stated in the description.
 *
 * Runs on the assembled document: PATCH bodies come from `PartialType(Create…)`, which copies
 * the create decorators, defaults included.
 */
export function documentRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const patchBodies = new Set<string>();
  const bodies = new Set<string>();
  const inline: SchemaObject[] = [];

  for (const item of Object.values(document.paths)) {
    for (const method of ['post', 'put', 'patch'] as const) {
      const operation = item[method];
      const body = operation?.requestBody;
      if (!body || '$ref' in body) continue;
      for (const media of Object.values(body.content)) {
        if (!media.schema) continue;
        if ('$ref' in media.schema) {
          const name = schemaName(media.schema);
          bodies.add(name);
          if (method === 'patch') patchBodies.add(name);
        } else inline.push(media.schema);
      }
    }
  }

  const visited = new Set<Schema>();
  const tighten = (schema: Schema | undefined, patch: boolean) => {
    if (!schema || visited.has(schema)) return;
    visited.add(schema);
    if ('$ref' in schema) return tighten(schemas[schemaName(schema)], patch || patchBodies.has(schemaName(schema)));
    if (schema.properties) {
      schema.additionalProperties ??= false;
      for (const property of Object.values(schema.properties)) {
        if (!('$ref' in property) && property.default !== undefined) {
          const note = patch ? 'Left unchanged when omitted.' : `Default when omitted: \`${JSON.stringify(property.default)}\`.`;
          property.description = property.description ? `${property.description.replace(/\.?\s*$/, '.')} ${note}` : note;
          delete property.default;
        }
        tighten(property, patch);
      }
    }
    tighten(schema.items, patch);
    for (const variant of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) tighten(variant, patch);
  };
  // PATCH bodies first: a schema reached from both keeps the PATCH wording (it never resets a field).
  for (const name of [...patchBodies, ...bodies]) tighten({ $ref: `#/components/schemas/${name}` }, patchBodies.has(name));
  for (const schema of inline) tighten(schema, false);
}

function schemaName(reference: ReferenceObject): string {
  return reference.$ref.replace('#/components/schemas/', '');
}
