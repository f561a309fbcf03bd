import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { commandLine, isRunning, NpmStart, NpmWorkspace } from './support/npm-workspace';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { eventually } from './support/webhook-receiver';

/** A first build on a busy two-core machine takes 30-60 s; the tests allow well over that. */
const FIRST_BUILD_MS = 240_000;
const GRACE_MS = 10_000;

/**
 * `npm start` as a user runs it, in a copy of the repository with its own dist: it builds only
 * when the sources changed, and a SIGTERM sent to the npm process stops the app (npm passes it
 * on to its child; a shell running `a && b` does not).
 */
describe('npm start', () => {
  let environment: TestEnvironment;
  let workspace: NpmWorkspace;
  const started: NpmStart[] = [];
  /** Processes seen under npm: one left running after npm exited is no longer below it. */
  const seen = new Set<number>();
  const watch = (run: NpmStart) => {
    const processes = run.descendants();
    for (const pid of processes) seen.add(pid);
    return processes;
  };
  const start = async (timeoutMs = FIRST_BUILD_MS, script = 'start') => {
    const run = await workspace.npmStart({ ...environment.env, LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: String(GRACE_MS) }, timeoutMs, script);
    started.push(run);
    return run;
  };
  const stopped = async (run: NpmStart) => {
    const processes = watch(run);
    run.npm.kill('SIGTERM');
    await run.exited;
    await eventually(() => processes.every((pid) => !isRunning(pid)), 'every process under npm to end', GRACE_MS + 5000);
  };

  beforeAll(async () => {
    environment = await createTestEnvironment();
    workspace = NpmWorkspace.create();
  });
  afterAll(async () => {
    // Whatever a failed test left running (only processes these tests started).
    for (const run of started) {
      watch(run);
      run.npm.kill('SIGKILL');
    }
    for (const pid of seen) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    workspace?.remove();
    await environment?.teardown();
  }, 30_000);

  it('stops the compiler when the npm process gets SIGTERM during the first build, and starts nothing', async () => {
    const run = await workspace.npmRun({ ...environment.env, LOG_LEVEL: 'warn' }, 'start');
    started.push(run);
    const compiler = await eventually(() => watch(run).find((pid) => commandLine(pid).includes('tsc')), 'the compiler to run', 60_000);

    run.npm.kill('SIGTERM');
    await run.exited;
    await eventually(() => !isRunning(compiler), 'the compiler to end', 10_000).catch(() => undefined);
    expect([...seen].filter(isRunning).map((pid) => `${pid}: ${commandLine(pid)}`)).toEqual([]);
  }, 120_000);

  it(
    'stops node when the npm process gets SIGTERM',
    async () => {
      const run = await start();
      const processes = watch(run);
      const app = processes.find((pid) => commandLine(pid).includes('dist/apps/main'));
      expect(app).toBeDefined();
      // The first build bundled the console too: served, and listed in the banner.
      const consolePage = await fetch(`http://127.0.0.1:${run.port}/console/`);
      expect(consolePage.status).toBe(200);
      expect(await consolePage.text()).toContain('<title>Strata Console</title>');
      await eventually(() => run.output().includes(`  Console    http://127.0.0.1:${run.port}/console`), 'the console in the banner');

      run.npm.kill('SIGTERM');
      await run.exited;
      await eventually(() => !isRunning(app!), 'the node process to end', GRACE_MS + 5000).catch(() => undefined);
      expect(processes.filter(isRunning).map((pid) => `${pid}: ${commandLine(pid)}`)).toEqual([]);
    },
    FIRST_BUILD_MS + 60_000,
  );

  it('starts from dist without compiling when the build is current', async () => {
    const main = workspace.path('dist/apps/main.js');
    const builtAt = statSync(main).mtimeMs;
    const run = await start(60_000);
    expect(statSync(main).mtimeMs).toBe(builtAt);
    expect(run.output()).not.toMatch(/building|rebuilding/);
    await stopped(run);
  }, 120_000);

  it(
    'rebuilds only what changed when a source changed',
    async () => {
      const untouched = workspace.path('dist/libs/core/src/index.js');
      const untouchedAt = statSync(untouched).mtimeMs;
      const consoleBuiltAt = statSync(workspace.path('dist/console/index.html')).mtimeMs;
      appendFileSync(workspace.path('apps/main.ts'), '\n// changed by the npm start test\n');
      appendFileSync(workspace.path('apps/console/src/styles.css'), '\n/* changed by the npm start test */\n');
      const run = await start();
      expect(readFileSync(workspace.path('dist/apps/main.js'), 'utf8')).toContain('changed by the npm start test');
      expect(statSync(untouched).mtimeMs).toBe(untouchedAt);
      expect(statSync(workspace.path('dist/console/index.html')).mtimeMs).toBeGreaterThan(consoleBuiltAt);
      await stopped(run);
    },
    FIRST_BUILD_MS + 60_000,
  );

  it(
    'npm run dev restarts the app after a change compiles, and stops with npm',
    async () => {
      const run = await start(FIRST_BUILD_MS, 'dev');
      const appProcess = () => watch(run).find((pid) => commandLine(pid).includes('dist/apps/main') && isRunning(pid));
      const first = appProcess();
      expect(first).toBeDefined();

      appendFileSync(workspace.path('apps/main.ts'), '\n// changed while npm run dev watches\n');
      const second = await eventually(
        () => {
          const pid = appProcess();
          return pid !== undefined && pid !== first ? pid : undefined;
        },
        'a restarted app',
        FIRST_BUILD_MS,
      );
      await run.ready(60_000);
      expect(isRunning(first!)).toBe(false);
      expect(readFileSync(workspace.path('dist/apps/main.js'), 'utf8')).toContain('changed while npm run dev watches');
      expect(second).toBeDefined();
      await stopped(run);
    },
    2 * FIRST_BUILD_MS + 60_000,
  );
});
