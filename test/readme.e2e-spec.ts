import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../libs/core/src/embedded/port-probe';
import { SpawnedApp } from './support/spawned-app';
import { createTestEnvironment, TestEnvironment } from './support/test-app';

/** The comment that marks a README code block as part of the tested walk-through. */
const MARKER = '<!-- readme-test -->';

/** Every ```bash block preceded by the marker, in document order. */
export function markedBashBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const pattern = new RegExp(`${MARKER}\\s*\\n\`\`\`bash\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  for (const match of markdown.matchAll(pattern)) blocks.push(match[1]);
  return blocks;
}

/** The README promises bash and zsh: run it in each one this machine has (.ci/run installs zsh). */
const SHELLS = ['bash', 'zsh'].filter((shell) => spawnSync(shell, ['-c', 'true']).status === 0);

/**
 * The README's own walk-through, pasted as a user would: its marked bash blocks run top to
 * bottom in one `bash -euo pipefail` (an unset variable or a failed command stops it), and
 * again in `zsh -euo pipefail` where zsh is installed, each against its own Strata started as
 * a real process. Nothing in the text is rewritten: the address, the admin key and the
 * receiver's port reach it through the variables the README itself reads (`BASE`, `KEY`,
 * `RECEIVER_PORT`), so README and API cannot drift apart unnoticed.
 */
describe.each(SHELLS)('README walk-through in %s', (shellName) => {
  let environment: TestEnvironment;
  let strata: SpawnedApp;
  let workDir: string;
  let shell: ChildProcess | undefined;

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    strata = await SpawnedApp.start(environment.env);
    workDir = await mkdtemp(join(tmpdir(), 'strata-readme-'));
  });
  afterAll(async () => {
    // The script leaves its receiver and SSE client running (as a user's terminal would): end
    // its whole process group.
    if (shell?.pid) {
      try {
        process.kill(-shell.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await strata?.stop();
    await environment?.teardown();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(shellName, ['-euo', 'pipefail', '-c', script], {
        cwd: workDir,
        env: { PATH: process.env.PATH ?? '', HOME: workDir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      shell = child;
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      // Resolve on the shell's own exit: its background jobs keep the pipes open.
      child.once('exit', (code) => setTimeout(() => resolve({ code, output }), 200));
    });
  }

  async function waitForFile(name: string, expected: string[], timeoutMs = 20000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await readFile(join(workDir, name), 'utf8').catch(() => '');
      if (expected.every((part) => text.includes(part)) || Date.now() > deadline) return text;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('runs top to bottom against a live Strata', async () => {
    const readme = await readFile(join(__dirname, '..', 'README.md'), 'utf8');
    const blocks = markedBashBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(3);

    const { code, output } = await runScript(blocks.join('\n'), {
      BASE: strata.url,
      KEY: environment.env.ADMIN_API_KEY,
      RECEIVER_PORT: String(await findFreePort()),
    });
    if (code !== 0) throw new Error(`the README's script stopped (exit ${code}):\n${output}\n--- Strata:\n${strata.output()}`);

    // What the webhook receiver and the SSE client (both started by the README) were sent.
    const deliveries = await waitForFile('webhooks.log', ['"webhook.ping"', '"page.created"', '"page.updated"', '"page.deleted"', '"media.uploaded"']);
    for (const type of ['webhook.ping', 'page.created', 'page.updated', 'page.deleted', 'media.uploaded']) expect(deliveries).toContain(`"${type}"`);
    const stream = await waitForFile('events.log', ['page.created', 'page.deleted']);
    expect(stream).toMatch(/^event: page\.created$/m);
    expect(stream).toMatch(/^event: page\.deleted$/m);
    expect(stream).not.toMatch(/^event: media\./m);

    // The search example checks itself (`field '.data[0].title'` fails on an empty answer).
    expect(output).toMatch(/^Hello world$/m);
  }, 120000);
});
