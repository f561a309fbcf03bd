import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from '../../libs/core/src/embedded/port-probe';

const repository = resolve(__dirname, '../..');
/** What `npm start` reads: the sources, the build configuration and the scripts it runs. */
const COPIED = ['apps', 'libs', 'migrations', 'scripts', 'package.json', 'package-lock.json'];

/**
 * A copy of the repository's sources and package.json (node_modules linked), where `npm start`
 * can build its own dist: a test never touches the working tree's dist, which other runs use.
 */
export class NpmWorkspace {
  private constructor(readonly dir: string) {}

  static create(): NpmWorkspace {
    const dir = mkdtempSync(join(tmpdir(), 'strata-npm-'));
    for (const name of [...COPIED, ...readdirSync(repository).filter((file) => /^tsconfig.*\.json$/.test(file))]) {
      if (existsSync(join(repository, name))) cpSync(join(repository, name), join(dir, name), { recursive: true });
    }
    symlinkSync(join(repository, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return new NpmWorkspace(dir);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Runs `npm start` (or `npm run <script>`) there; resolves once /health/live answers. */
  async npmStart(env: Record<string, string>, readyTimeoutMs: number, script = 'start'): Promise<NpmStart> {
    const started = await this.npmRun(env, script);
    await started.ready(readyTimeoutMs);
    return started;
  }

  /** Runs `npm run <script>` there without waiting for anything. */
  async npmRun(env: Record<string, string>, script: string): Promise<NpmStart> {
    const port = await findFreePort();
    const child = spawn('npm', ['run', script], {
      cwd: this.dir,
      env: { ...outsideNpm(process.env), ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new NpmStart(child, port);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The environment without what an enclosing `npm test` sets: its npm_config_local_prefix would
 * make the inner npm run the repository's own package.json instead of the workspace's.
 */
function outsideNpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
}

export class NpmStart {
  private text = '';
  readonly exited: Promise<void>;

  constructor(
    readonly npm: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => npm.once('exit', () => resolve()));
    for (const stream of [npm.stdout, npm.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => (this.text += chunk));
    }
  }

  output(): string {
    return this.text;
  }

  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      if (exited) throw new Error(`npm start exited before answering:\n${this.text}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/health/live`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`npm start did not answer within ${timeoutMs} ms:\n${this.text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Every process below npm (the shell, a launcher, node), by pid. */
  descendants(): number[] {
    const parents = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      const stat = processStat(Number(entry));
      if (!stat) continue;
      parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), Number(entry)]);
    }
    const found: number[] = [];
    const visit = (pid: number) => {
      for (const child of parents.get(pid) ?? []) {
        found.push(child);
        visit(child);
      }
    };
    visit(this.npm.pid!);
    return found;
  }
}

/** Whether the process runs (a zombie, exited but not yet reaped, does not count). */
export function isRunning(pid: number): boolean {
  const stat = processStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function processStat(pid: number): { ppid: number; state: string } | undefined {
  if (!Number.isInteger(pid)) return undefined;
  try {
    // "pid (comm) state ppid …": comm may hold spaces or parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
