import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { findFreePort } from '../../libs/core/src/embedded/port-probe';

export interface SpawnedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from `signal()` to the process having exited. */
  afterSignalMs?: number;
}

/**
 * Strata as a real process (apps/main.ts through ts-app-runner.js), for faults an in-process
 * instance cannot take: SIGTERM, SIGKILL, its own connection pool being cut. Resolves once
 * `/health/live` answers, i.e. after migrations ran and the server listens.
 */
export class SpawnedApp {
  private outputTail: string[] = [];
  private outputAll = '';
  private signalledAt?: number;
  readonly exited: Promise<SpawnedExit>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) =>
        resolve({ code, signal, afterSignalMs: this.signalledAt === undefined ? undefined : Date.now() - this.signalledAt }),
      ),
    );
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.outputAll += chunk;
        this.outputTail.push(...chunk.split('\n').filter(Boolean));
        this.outputTail = this.outputTail.slice(-200);
      });
    }
  }

  static async start(env: Record<string, string>, readyTimeoutMs = 60000): Promise<SpawnedApp> {
    const port = await findFreePort();
    const child = spawn(process.execPath, [join(__dirname, 'ts-app-runner.js')], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new SpawnedApp(child, port);
    if (env.PROCESS_ROLE === 'worker') return app;
    const deadline = Date.now() + readyTimeoutMs;
    let exited = false;
    void app.exited.then(() => (exited = true));
    for (;;) {
      if (exited) throw new Error(`Strata exited during start-up:\n${app.output()}`);
      try {
        const response = await fetch(`${app.url}/health/live`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        return app;
      } catch {
        if (Date.now() > deadline) {
          app.kill('SIGKILL');
          throw new Error(`Strata did not answer within ${readyTimeoutMs} ms:\n${app.output()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote to stdout and stderr, from its start. */
  allOutput(): string {
    return this.outputAll;
  }

  /** The last lines the process logged (LOG_LEVEL warn by default: its warnings and errors). */
  output(): string {
    return this.outputTail.join('\n');
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.running) return;
    this.signalledAt ??= Date.now();
    this.child.kill(signal);
  }

  /** Ends it if a test left it running (SIGKILL: teardown does not wait for a drain). */
  async stop(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}
