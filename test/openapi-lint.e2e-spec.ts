import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestEnvironment, TestEnvironment } from './support/test-app';

type LintReport = { counts: Record<string, number>; problems: Array<{ rule: string; severity: string; message: string; at: string }> };

/**
 * The document clients generate from, linted as a newcomer would lint it: Redocly's linter with
 * its `recommended` rules (redocly.yaml; any rule or location switched off there says why).
 * The linter is ESM-only, so it runs as its own Node process (scripts/lint-openapi.mjs).
 */
describe('OpenAPI document lint (Redocly recommended)', () => {
  let environment: TestEnvironment;
  let directory: string;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    directory = await mkdtemp(join(tmpdir(), 'strata-openapi-lint-'));
  });
  afterAll(async () => {
    await environment?.teardown();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  let document: { paths: Record<string, Record<string, { operationId?: string }>> };

  it('has 0 errors and 0 warnings', async () => {
    const strata = await environment.start();
    document = (await strata.api().get('/docs-json').expect(200)).body;
    const file = join(directory, 'openapi.json');
    await writeFile(file, JSON.stringify(document));

    const report = await lint(file);

    expect(report.problems).toEqual([]);
    expect(report.counts).toEqual({});
  });

  it('names operations for client generators (`pages_list`), not after Nest classes', () => {
    const operationIds = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    expect(operationIds).toContain('pages_list');
    expect(operationIds).toContain('apiKeys_rotate');
    expect(operationIds.filter((id) => !id || /Controller/.test(id))).toEqual([]);
  });
});

async function lint(file: string): Promise<LintReport> {
  const script = join(__dirname, '..', 'scripts', 'lint-openapi.mjs');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script, file, '--json'], { maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as LintReport;
  } catch (error) {
    // Exit code 1 means problems were found: the JSON report is still on stdout.
    const { stdout } = error as { stdout?: string };
    if (stdout) return JSON.parse(stdout) as LintReport;
    throw error;
  }
}
