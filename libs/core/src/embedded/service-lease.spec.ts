import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimRunningService, isProcessAlive, ownService, readLease } from './service-lease';

describe('embedded service leases', () => {
  let directory: string;
  let leaseFile: string;
  const children: ChildProcess[] = [];
  // A stand-in for redis-server / postgres: a process that runs until signalled.
  const startService = () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  };

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'strata-lease-'));
    leaseFile = join(directory, 'redis.lease.json');
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });

  it('tells live processes from exited ones', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(isProcessAlive(child.pid!)).toBe(false);
  });

  it('ignores a missing or damaged lease file', () => {
    expect(readLease(leaseFile)).toBeUndefined();
    writeFileSync(leaseFile, '{"pid": 12, "port": "6379"}');
    expect(readLease(leaseFile)).toBeUndefined();
  });

  it('owns what it started: records the lease, and stop() ends the process and the lease', async () => {
    const pid = startService();
    const service = ownService(leaseFile, { pid, port: 6390 }, 'redis://127.0.0.1:6390', 'SIGTERM', 'started');
    expect(readLease(leaseFile)).toEqual({ pid, port: 6390, ownerPid: process.pid });
    await service.stop();
    expect(isProcessAlive(pid)).toBe(false);
    expect(readLease(leaseFile)).toBeUndefined();
  });

  it('shares a service whose owner is alive, and leaves it running on stop()', async () => {
    const pid = startService();
    const owner = startService();
    writeFileSync(leaseFile, JSON.stringify({ pid, port: 6391, ownerPid: owner }));
    const service = claimRunningService(leaseFile, { pid, port: 6391 }, 'redis://127.0.0.1:6391', 'SIGTERM');
    expect(service).toMatchObject({ origin: 'shared', ownerPid: owner });
    await service.stop();
    expect(isProcessAlive(pid)).toBe(true);
  });

  it('takes over a service whose owner died, and stops it', async () => {
    const pid = startService();
    writeFileSync(leaseFile, JSON.stringify({ pid, port: 6392, ownerPid: 2 ** 22 + 1 }));
    const service = claimRunningService(leaseFile, { pid, port: 6392 }, 'redis://127.0.0.1:6392', 'SIGTERM');
    expect(service).toMatchObject({ origin: 'adopted', ownerPid: process.pid });
    expect(readLease(leaseFile)?.ownerPid).toBe(process.pid);
    await service.stop();
    expect(isProcessAlive(pid)).toBe(false);
  });
});
