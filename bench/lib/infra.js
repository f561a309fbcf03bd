'use strict';

const { randomBytes } = require('node:crypto');
const Redis = require('ioredis');
const { Client } = require('pg');

/** Short random id shared by a run's database name and Redis prefix, so runs never collide. */
function runId() {
  return `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

async function withAdminClient(adminUrl, work) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database; Strata runs its migrations into it at boot. */
async function createDatabase(adminUrl, name) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(adminUrl, name) {
  await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Deletes every key under a prefix (SCAN, never KEYS). */
async function deleteRedisPrefix(redisUrl, prefix) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Server versions for the report; a missing service shows as "unavailable", not a crash. */
async function serviceVersions({ postgresAdminUrl, redisUrl }) {
  const postgres = await withAdminClient(postgresAdminUrl, (client) => client.query('SHOW server_version'))
    .then((result) => result.rows[0].server_version)
    .catch(() => 'unavailable');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const redisVersion = await redis
    .connect()
    .then(() => redis.info('server'))
    .then((info) => /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown')
    .catch(() => 'unavailable')
    .finally(() => redis.disconnect());
  return { postgres, redis: redisVersion };
}

module.exports = { runId, createDatabase, dropDatabase, deleteRedisPrefix, serviceVersions };
