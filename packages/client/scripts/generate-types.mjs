// Generates src/generated/schema.ts (the `paths`, `components` and `operations` types) from
// Strata's OpenAPI document with openapi-typescript, with two choices made for a client:
// - a property with a server-side `default` stays optional in what the client sends
//   (defaultNonNullable: false): the server fills it in, and sending it is a decision;
// - `format: binary` is a Blob (a File in browsers and Node), what FormData takes for an upload.
//
//   node scripts/generate-types.mjs <openapi.json> <schema.ts>
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const [source, target] = process.argv.slice(2);
if (!source || !target) {
  console.error('usage: node scripts/generate-types.mjs <openapi.json> <schema.ts>');
  process.exit(2);
}

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

const document = JSON.parse(await readFile(source, 'utf8'));
const ast = await openapiTS(document, {
  defaultNonNullable: false,
  transform(schema) {
    if (schema.format === 'binary') return schema.nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
    return undefined;
  },
});
const header = '// Generated from the OpenAPI document by scripts/generate-types.mjs (npm run generate). Do not edit.\n\n';
await writeFile(target, header + astToString(ast));
