import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { findFreePort } from '../../libs/core/src/embedded/port-probe';

/**
 * A redis-server of the test's own, without persistence, so fault tests can stop and restart
 * it (by its own PID) without touching the shared Redis other tests use.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await findFreePort());
    await redis.restart();
    return redis;
  }

  /** Its own directory: a replica writes the RDB it syncs from its master there. */
  private get directory(): string {
    return join(tmpdir(), `strata-private-redis-${this.port}`);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again, on the same port) and waits until it answers PING. */
  async restart(): Promise<void> {
    mkdirSync(this.directory, { recursive: true });
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.directory], {
      stdio: 'ignore',
    });
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          await probe.connect();
          await probe.ping();
          return;
        } catch {
          probe.disconnect();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      throw new Error(`private redis-server on port ${this.port} did not start`);
    } finally {
      probe.disconnect();
    }
  }

  /** Kills it at once (no shutdown handshake), as a crash would. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    rmSync(this.directory, { recursive: true, force: true });
  }
}
