import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** An embedded service this process can use: one it started, took over, or shares. */
export interface RunningService {
  url: string;
  /**
   * `started` here; `adopted` from a Strata process that died without stopping it; `shared`
   * with the live Strata process that owns it (and stops it when that process stops).
   */
  origin: 'started' | 'adopted' | 'shared';
  /** The process that stops the service: this one unless shared. */
  ownerPid: number;
  stop(): Promise<void>;
}

/**
 * Written beside an embedded service's data while a Strata process owns it. Embedded services
 * run in their own process group (so a terminal's Ctrl-C reaches Strata first and Strata stops
 * them after the app has closed), which also means they outlive a Strata process that is
 * killed outright. The lease lets the next start tell such a leftover (take it over) from a
 * service another running Strata process uses (share it), instead of failing on a locked
 * data directory.
 */
export interface ServiceLease {
  pid: number;
  port: number;
  ownerPid: number;
}

export function readLease(file: string): ServiceLease | undefined {
  try {
    const lease = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServiceLease>;
    const valid = [lease.pid, lease.port, lease.ownerPid].every((n) => Number.isInteger(n) && (n as number) > 0);
    return valid ? (lease as ServiceLease) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process exists and is not a zombie waiting to be reaped. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user, when we run as root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we have
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Makes this process the owner of the service running as `pid`: records the lease, and stops
 * the service with `signal` on `stop()`, or, if this process exits without calling it (a
 * forced exit after the shutdown grace period, an uncaught error), from the `exit` event.
 */
export function ownService(
  file: string,
  running: { pid: number; port: number },
  url: string,
  signal: NodeJS.Signals,
  origin: 'started' | 'adopted',
): RunningService {
  writeFileSync(file, JSON.stringify({ ...running, ownerPid: process.pid } satisfies ServiceLease));
  const onExit = () => {
    signalQuietly(running.pid, signal);
    rmSync(file, { force: true });
  };
  process.on('exit', onExit);
  return {
    url,
    origin,
    ownerPid: process.pid,
    async stop() {
      process.removeListener('exit', onExit);
      signalQuietly(running.pid, signal);
      if (!(await waitForExit(running.pid, 15_000))) signalQuietly(running.pid, 'SIGKILL');
      rmSync(file, { force: true });
    },
  };
}

/**
 * A service found running on its data directory: shared while the Strata process holding its
 * lease is alive, taken over otherwise (its owner died, or it predates leases).
 */
export function claimRunningService(file: string, running: { pid: number; port: number }, url: string, signal: NodeJS.Signals): RunningService {
  const lease = readLease(file);
  if (lease && lease.pid === running.pid && isProcessAlive(lease.ownerPid)) {
    return { url, origin: 'shared', ownerPid: lease.ownerPid, stop: () => Promise.resolve() };
  }
  return ownService(file, running, url, signal, 'adopted');
}
