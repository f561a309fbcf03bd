import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findFreePort, waitUntilAnswering } from './port-probe';
import { StartupError } from './startup-error';

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

export const NO_REDIS_SERVER =
  'No Redis: REDIS_URL is unset, nothing answers on 127.0.0.1:6379 and there is no redis-server on PATH. ' +
  'Install one (apt-get install redis-server, or brew install redis) or run `docker compose up redis`.';

/** The `redis-server` executable on PATH, if any. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const directory of path.split(delimiter).filter(Boolean)) {
    const candidate = join(directory, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Runs `redis-server` from PATH as a child process on a free loopback port, keeping its data
 * (an RDB snapshot) under `dataDir`. The child is stopped by `stop()` or when we exit.
 */
export async function startRedisChild(dataDir: string, executable: string | undefined): Promise<RunningService> {
  if (!executable) throw new StartupError(NO_REDIS_SERVER);
  mkdirSync(dataDir, { recursive: true });
  const port = await findFreePort();
  const child: ChildProcess = spawn(
    executable,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '60 1', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await Promise.race([waitUntilAnswering('127.0.0.1', port, 10_000), exited.then(() => false)]);
  if (!started) {
    child.kill('SIGKILL');
    throw new StartupError(`redis-server (${executable}) did not start on port ${port}; run it by hand to see why, or set REDIS_URL.`);
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
