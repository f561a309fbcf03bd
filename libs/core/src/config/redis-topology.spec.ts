import { ConfigError, loadConfig } from './load-config';
import { parseRedisAddresses, redisCredentials } from './redis-topology';

describe('Redis topology configuration', () => {
  it('is a single node by default, with REDIS_URL as it was', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6380' });
    expect(config.redis.topology).toEqual({ kind: 'single' });
    expect(config.redis.url).toBe('redis://127.0.0.1:6380');
  });

  it('reads a Sentinel group and takes credentials, TLS and database from REDIS_URL', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 'sentinel-1:26379, sentinel-2:26379,[::1]:26380',
      REDIS_SENTINEL_NAME: 'strata',
      REDIS_URL: 'rediss://app:s%40cret@ignored:6379/2',
    });
    expect(config.redis.topology).toEqual({
      kind: 'sentinel',
      masterName: 'strata',
      sentinels: [
        { host: 'sentinel-1', port: 26379 },
        { host: 'sentinel-2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
    });
    expect(config.redis.credentials).toEqual({ username: 'app', password: 's@cret', tls: true, db: 2 });
  });

  it('reads Cluster seed nodes', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:7000,redis-2:7001' }).redis.topology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-1', port: 7000 },
        { host: 'redis-2', port: 7001 },
      ],
    });
  });

  it.each([
    [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'b:2' }, /REDIS_SENTINELS, REDIS_CLUSTER_NODES: set one of them/],
    [{ REDIS_SENTINELS: 'a:1' }, /REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS/],
    [{ REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINEL_NAME: is only used with REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://x:1/3' }, /REDIS_URL: a Redis Cluster has only database 0/],
    [{ REDIS_CLUSTER_NODES: 'a:1,b' }, /REDIS_CLUSTER_NODES: "b" is not host:port/],
    [{ REDIS_SENTINELS: 'a:99999', REDIS_SENTINEL_NAME: 'm' }, /REDIS_SENTINELS: "a:99999" is not host:port/],
    [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'no spaces' }, /REDIS_SENTINEL_NAME: must be the master name/],
  ])('stops the boot naming the variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('parses addresses and credentials', () => {
    expect(parseRedisAddresses('X', ' h:1 ')).toEqual([{ host: 'h', port: 1 }]);
    expect(() => parseRedisAddresses('X', '')).toThrow('X: "" is not host:port');
    expect(redisCredentials(undefined)).toEqual({ tls: false, db: 0 });
    expect(redisCredentials('redis://localhost:6379')).toEqual({ username: undefined, password: undefined, tls: false, db: 0 });
  });
});
