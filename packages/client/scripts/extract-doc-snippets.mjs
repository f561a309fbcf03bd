// Writes every ```ts block of the README, the API guide and this package's README to
// doc-snippets/ (git-ignored), one module each, so `npm run typecheck` compiles them against the
// generated types under strict: a documented call that no longer matches the API fails CI.
//
// A snippet is written as a reader sees it, continuing the page: names it uses without
// importing or declaring (`strata`, `unwrap`, `id`, `rawBody`, …) are supplied by a prelude.
//
//   node scripts/extract-doc-snippets.mjs
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(here, '..', '..');
const DOCUMENTS = [join(root, 'README.md'), join(root, 'docs', 'api-guide.md'), join(here, 'README.md')];
const OUT = join(here, 'doc-snippets');

/** What the client exports by value, imported by the prelude when a snippet does not import it. */
const EXPORTS = [
  'createStrataClient',
  'unwrap',
  'withETag',
  'paginate',
  'multipart',
  'StrataProblem',
  'PreconditionFailedError',
  'RateLimitedError',
  'Webhook',
  'WebhookVerificationError',
];
/** The page's running variables, declared by the prelude when a snippet does not declare them. */
const VARIABLES = {
  strata: 'ReturnType<typeof createStrataClient>',
  id: 'string',
  baseUrl: 'string',
  apiKey: 'string',
  bytes: 'Uint8Array<ArrayBuffer>',
  rawBody: 'string',
  headers: 'Record<string, string>',
  process: '{ env: Record<string, string | undefined> }',
};

await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
let count = 0;
for (const document of DOCUMENTS) {
  const text = await readFile(document, 'utf8');
  const name = relative(root, document).replace(/\.md$/, '').replace(/[/\\]/g, '-');
  let index = 0;
  for (const [, code] of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const imported = new Set(
      [...code.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}/gm)].flatMap(([, names]) => names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())),
    );
    const declared = (variable) => new RegExp(`\\b(?:const|let|var|function)\\s+(?:\\{[^}]*\\b${variable}\\b[^}]*\\}|${variable}\\b)`).test(code);
    const prelude = [
      `import { ${EXPORTS.filter((exported) => !imported.has(exported)).join(', ')} } from '@strata/client';`,
      ...Object.entries(VARIABLES)
        .filter(([variable]) => !declared(variable))
        .map(([variable, type]) => `declare const ${variable}: ${type};`),
    ];
    const imports = code.match(/^import[\s\S]*?;$/gm) ?? [];
    const body = imports.reduce((rest, line) => rest.replace(line, ''), code);
    const file = join(OUT, `${name}-${++index}.ts`);
    await writeFile(file, `// From ${relative(root, document)}, ts block ${index}.\n${imports.join('\n')}\n${prelude.join('\n')}\n${body}\nexport {};\n`);
    count++;
  }
}
console.log(`${count} ts snippets written to ${relative(root, OUT)}`);
