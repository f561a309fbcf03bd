// Writes the OpenAPI document /docs-json serves, without PostgreSQL, Redis or a running server
// (apps/api/openapi-offline.ts), from the TypeScript sources: no build needed, never stale.
//
//   node scripts/write-openapi-document.js <file.json>
//
// The typed client (packages/client) generates its types from this file at build time.
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const [target] = process.argv.slice(2);
if (!target) {
  console.error('usage: node scripts/write-openapi-document.js <file.json>');
  process.exit(2);
}

const { root } = require('../test/support/ts-register');
const { createOpenApiDocumentOffline } = require(join(root, 'apps/api/openapi-offline.ts'));

createOpenApiDocumentOffline().then(
  (document) => {
    const file = resolve(target);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
