import fc from 'fast-check';

/** The parts of an OpenAPI 3 schema object the generators read. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
}

/** Values no handler should choke on: wrong types, extremes, odd characters, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    -1e308,
    2 ** 53 + 1,
    1e21,
    0.1,
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '💥'.repeat(50),
    '../../etc/passwd',
    "' OR 1=1 --",
    '${jndi:x}',
    '<script>1</script>',
    'x'.repeat(70_000),
    '1e999',
    '-0',
    'NaN',
    '[]',
    '{}',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ depthSize: 'medium', maxDepth: 6 }),
  fc.array(fc.string(), { maxLength: 300 }),
  fc.constant(nested(200)),
);

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/**
 * Values shaped by an OpenAPI schema, each part sometimes swapped for a hostile value, and
 * objects sometimes given a field the schema does not have: the inputs a careless or
 * malicious client sends. `resolve` follows `$ref`s into the document's components.
 */
export function schemaArbitrary(schema: Schema, resolve: (ref: string) => Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return schemaArbitrary(resolve(schema.$ref), resolve, depth);
  const alternatives = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((part) => schemaArbitrary(part, resolve, depth)));
  return fc.oneof({ weight: 4, arbitrary: shaped(schema, resolve, depth) }, { weight: 1, arbitrary: hostileValue });
}

function shaped(schema: Schema, resolve: (ref: string) => Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      if (depth > 4 || !schema.properties) return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });
      const properties = Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, schemaArbitrary(property, resolve, depth + 1)]));
      return fc
        .tuple(fc.record(properties, { requiredKeys: [] }), fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), hostileValue), { freq: 6 }))
        .map(([record, extra]) => (extra && !(extra[0] in record) ? { ...record, [extra[0]]: extra[1] } : record));
    }
    case 'array':
      return fc.array(schema.items ? schemaArbitrary(schema.items, resolve, depth + 1) : fc.jsonValue({ maxDepth: 2 }), { maxLength: depth > 2 ? 3 : 8 });
    case 'integer':
      return fc.oneof(fc.integer(), fc.constantFrom(0, 1, 100, 101, -1, 2 ** 31, 2 ** 53));
    case 'number':
      return fc.oneof(fc.double({ noNaN: true }), fc.integer());
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringFor(schema.format);
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

function stringFor(format: string | undefined): fc.Arbitrary<string> {
  switch (format) {
    case 'uuid':
      return fc.oneof(fc.uuid(), fc.constant('00000000-0000-0000-0000-000000000000'), fc.string({ maxLength: 40 }));
    case 'date-time':
      return fc.oneof(
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        fc.constantFrom('2026-13-45T99:99:99Z', '0000-00-00', 'yesterday'),
      );
    case 'uri':
      // Never a resolvable public host: registration checks would wait on DNS.
      return fc.constantFrom(
        'http://127.0.0.1:9/hook',
        'ftp://127.0.0.1/x',
        'http://[::1]:9/',
        'not a url',
        'http://169.254.169.254/latest',
        'javascript:alert(1)',
      );
    default:
      return fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.constantFrom('a-slug', 'published', 'page', 'x'.repeat(300)),
      );
  }
}
