import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { findFreePort } from '../../libs/core/src/embedded/port-probe';

/**
 * A PostgreSQL server of the test's own (the machine's binaries, a fresh `initdb` cluster in a
 * temporary directory, its own port), so fault tests can stop and restart a whole server
 * without touching the shared one other tests use. As root it runs as the `postgres` OS user,
 * as PostgreSQL insists.
 */
export class PrivatePostgres {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    const dataDir = mkdtempSync(join(tmpdir(), 'strata-private-pg-'));
    const runAs = postgresUser();
    if (runAs.uid !== undefined) chownSync(dataDir, runAs.uid, runAs.gid!);
    execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...runAs, stdio: 'pipe', cwd: dataDir });
    const server = new PrivatePostgres(await findFreePort(), dataDir, bin);
    await server.restart();
    return server;
  }

  /**
   * A streaming replica of this server on a port of its own: a base backup taken with
   * `pg_basebackup -R` (which writes standby.signal and primary_conninfo), started as a hot
   * standby that replays what this server writes. Destroy it before this server.
   */
  async startReplica(): Promise<PrivatePostgres> {
    const dataDir = mkdtempSync(join(tmpdir(), 'strata-private-pg-replica-'));
    const runAs = postgresUser();
    if (runAs.uid !== undefined) chownSync(dataDir, runAs.uid, runAs.gid!);
    // --checkpoint=fast: the default spread checkpoint makes the backup wait minutes for it.
    execFileSync(
      join(this.bin, 'pg_basebackup'),
      ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync'],
      {
        ...runAs,
        stdio: 'pipe',
        cwd: dataDir,
        timeout: 60_000,
      },
    );
    const replica = new PrivatePostgres(await findFreePort(), dataDir, this.bin);
    await replica.restart();
    return replica;
  }

  /** Runs one statement on `database` of this server (a fresh connection each time). */
  query<R = Record<string, unknown>>(sql: string, parameters: unknown[] = [], database = 'postgres'): Promise<R[]> {
    return this.withClient(async (client) => (await client.query(sql, parameters)).rows as R[], database);
  }

  /** A connection string to `database` on this server. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    await this.withClient((client) => client.query(`CREATE DATABASE "${name}"`));
    return this.url(name);
  }

  /** Starts the server (again, on the same port and data) and waits until it takes queries. */
  async restart(): Promise<void> {
    const child = spawn(
      join(this.bin, 'postgres'),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=200',
      ],
      { ...postgresUser(), stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dataDir },
    );
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)));
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.withClient((client) => client.query('SELECT 1'));
        return;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`private PostgreSQL on port ${this.port} did not start: ${(error as Error).message}\n${this.output}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * Stops the server. `fast` (SIGINT) is what a restart or failover does: every backend is told
   * "terminating connection due to administrator command" (57P01) and closed; `immediate`
   * (SIGQUIT) is a crash-like stop.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    });
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async withClient<T>(work: (client: Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const client = new Client({ connectionString: this.url(database), connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** The newest server binaries of the machine's PostgreSQL packages (Debian: /usr/lib/postgresql/N/bin). */
function postgresBinDir(): string {
  try {
    const fromConfig = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(fromConfig, 'initdb'))) return fromConfig;
  } catch {
    // pg_config comes with the development package; the server package alone is enough.
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('no PostgreSQL server binaries (initdb) found; install the postgresql package');
  return join(root, versions[0], 'bin');
}

function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
