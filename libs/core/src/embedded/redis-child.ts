import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { lastLogLine } from './log-tail';
import { findFreePort, isPortAnswering, waitUntilAnswering } from './port-probe';
import { claimRunningService, isProcessAlive, ownService, readLease, RunningService } from './service-lease';
import { StartupError } from './startup-error';

export type { RunningService } from './service-lease';

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
 * Runs `redis-server` from PATH on a free loopback port, keeping its data (an RDB snapshot,
 * written at most every minute and at shutdown) and its log under `dataDir`. A redis-server
 * already running on `dataDir` (see `ServiceLease`) is shared or taken over instead.
 */
export async function startRedisChild(dataDir: string, executable: string | undefined): Promise<RunningService> {
  const leaseFile = `${dataDir}.lease.json`;
  const lease = readLease(leaseFile);
  if (lease && isProcessAlive(lease.pid) && (await isPortAnswering('127.0.0.1', lease.port))) {
    return claimRunningService(leaseFile, lease, redisUrl(lease.port), 'SIGTERM');
  }

  if (!executable) throw new StartupError(NO_REDIS_SERVER);
  mkdirSync(dataDir, { recursive: true });
  const port = await findFreePort();
  const logFile = join(dataDir, 'redis.log');
  const child = spawn(
    executable,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '60 1', '--appendonly', 'no', '--daemonize', 'no', '--logfile', logFile],
    // Its own process group: a Ctrl-C in the terminal reaches Strata, which stops Redis last.
    { stdio: 'ignore', detached: true },
  );
  const exited = new Promise<boolean>((resolve) => {
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  if (child.pid === undefined) {
    throw new StartupError(`redis-server (${executable}) could not be started; run it by hand to see why, or set REDIS_URL.`);
  }
  const service = ownService(leaseFile, { pid: child.pid, port }, redisUrl(port), 'SIGTERM', 'started');

  if (!(await Promise.race([waitUntilAnswering('127.0.0.1', port, 10_000), exited]))) {
    await service.stop();
    throw new StartupError(`redis-server (${executable}) did not start on port ${port}: ${lastLogLine(logFile)} (log: ${logFile}). Or set REDIS_URL.`);
  }
  return service;
}

function redisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}
