'use strict';

/**
 * Benchmark settings, read once from the environment. Every run writes them into its report,
 * so a number is never read without the load that produced it.
 */
function readSettings(env = process.env) {
  return {
    durationS: positiveInt(env, 'BENCH_DURATION_S', 10),
    connections: positiveInt(env, 'BENCH_CONNECTIONS', 50),
    warmupS: positiveInt(env, 'BENCH_WARMUP_S', 2, { allowZero: true }),
    postgresAdminUrl: env.BENCH_POSTGRES_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    logLevel: env.BENCH_LOG_LEVEL || 'warn',
  };
}

function positiveInt(env, name, fallback, { allowZero = false } = {}) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new Error(`${name}=${JSON.stringify(raw)}: must be a whole number ${allowZero ? '≥ 0' : '≥ 1'}`);
  }
  return value;
}

module.exports = { readSettings };
