'use strict';

const { existsSync } = require('node:fs');
const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startChildServer } = require('./child-server');
const { createDatabase, deleteRedisPrefix, dropDatabase, runId } = require('./infra');

const REPO_ROOT = join(__dirname, '..', '..');
const API_ENTRY = join(REPO_ROOT, 'dist', 'apps', 'api', 'main.js');

/**
 * Strata's API from the build (`npm run build` first), in its own process, on its own fresh
 * database, Redis key prefix and data directory. `stop()` ends the process and removes all three.
 * `env` adds or overrides variables (later scenarios: cache settings, rate-limit tiers, ...);
 * `script` runs another entry on the same build (a comparison variant).
 */
async function startStrata(settings, { env = {}, name = 'Strata API', script = API_ENTRY } = {}) {
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (npm run bench does)`);
  const id = runId();
  const databaseName = `strata_bench_${id}`;
  const redisPrefix = `bench:${id}:`;
  const cleanups = [];
  const cleanUp = async () => {
    const failures = [];
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => failures.push(error));
    cleanups.length = 0;
    if (failures.length) throw new AggregateError(failures, `cleaning up ${name} failed: ${failures.map((e) => e.message).join('; ')}`);
  };

  try {
    const databaseUrl = await createDatabase(settings.postgresAdminUrl, databaseName);
    cleanups.push(() => dropDatabase(settings.postgresAdminUrl, databaseName));
    cleanups.push(() => deleteRedisPrefix(settings.redisUrl, redisPrefix));
    const dataDir = await mkdtemp(join(tmpdir(), 'strata-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const server = await startChildServer({
      name,
      script,
      cwd: REPO_ROOT,
      // Any response means Nest is listening, which happens only after migrations have run.
      readyPath: '/health/live',
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        REDIS_URL: settings.redisUrl,
        REDIS_KEY_PREFIX: redisPrefix,
        LOG_LEVEL: settings.logLevel,
        DATA_DIR: dataDir,
        EMBEDDED_SERVICES: 'false',
        ...env,
      },
    });
    cleanups.push(() => server.stop());
    return { ...server, databaseName, databaseUrl, redisPrefix, stop: cleanUp };
  } catch (error) {
    await cleanUp().catch(() => {});
    throw error;
  }
}

/** Creates a page through the API (as a client would) and returns it; anything but 201 throws. */
async function createPage(baseUrl, page, headers = {}) {
  const response = await fetch(`${baseUrl}/api/v1/pages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(page),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /api/v1/pages answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

module.exports = { startStrata, createPage, API_ENTRY };
