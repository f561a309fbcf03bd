// Lints Strata's OpenAPI document with Redocly's linter (@redocly/openapi-core, the engine of
// `redocly lint`) under redocly.yaml (the `recommended` ruleset and the rules switched off there,
// each with its reason) and .redocly.lint-ignore.yaml (single locations, each with its reason).
//
//   node scripts/lint-openapi.mjs http://localhost:3000/docs-json   # a running Strata
//   node scripts/lint-openapi.mjs openapi.json [--json]              # a saved document
//
// Prints each problem, then counts per rule; exits 1 on any error or warning. With --json it
// prints {"counts": {...}, "problems": [...]} instead (test/openapi-lint.e2e-spec.ts reads it).
// Runs offline: the document has no external $refs and the config extends only built-in rules.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblems, lintFromString, loadConfig } from '@redocly/openapi-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [source, ...flags] = process.argv.slice(2);
if (!source) {
  console.error('usage: node scripts/lint-openapi.mjs <file or URL of the OpenAPI document> [--json]');
  process.exit(2);
}

const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : await readFile(source, 'utf8');
const config = await loadConfig({ configPath: join(root, 'redocly.yaml') });
// The name the ignore file's entries are keyed by (relative to redocly.yaml), whatever the source.
const absoluteRef = join(root, 'openapi.json');
const problems = (await lintFromString({ source: text, absoluteRef, config })).filter((problem) => !problem.ignored && problem.severity !== 'off');

const counts = {};
for (const problem of problems) {
  const key = `${problem.severity} ${problem.ruleId}`;
  counts[key] = (counts[key] ?? 0) + 1;
}

if (flags.includes('--json')) {
  const where = (problem) => problem.location.map((location) => location.pointer).join(', ');
  const summary = problems.map((problem) => ({ rule: problem.ruleId, severity: problem.severity, message: problem.message, at: where(problem) }));
  console.log(JSON.stringify({ counts, problems: summary }));
} else {
  formatProblems(problems, { format: 'stylish', totals: undefined, version: 'strata', maxProblems: 1000 });
  console.log(problems.length ? counts : 'OpenAPI document: 0 errors, 0 warnings');
}
process.exit(problems.length ? 1 : 0);
