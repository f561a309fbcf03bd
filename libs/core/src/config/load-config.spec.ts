import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.role).toBe('all');
    expect(config.redis.keyPrefix).toBe('strata:');
    expect(config.database.url).toBeUndefined();
    expect(config.http.corsOrigins).toBe('*');
  });

  it('converts and keeps valid values', () => {
    const config = loadConfig({ PORT: '8080', PROCESS_ROLE: 'worker', CORS_ORIGINS: 'https://a.test, https://b.test', METRICS_ENABLED: 'false' });
    expect(config.http.port).toBe(8080);
    expect(config.role).toBe('worker');
    expect(config.http.corsOrigins).toEqual(['https://a.test', 'https://b.test']);
    expect(config.metricsEnabled).toBe(false);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PROCESS_ROLE', 'both'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'localhost:6379'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['METRICS_ENABLED', 'yes'],
    ['API_PROCESSES', '0'],
    ['API_PROCESSES', 'all'],
  ])('stops on a bad %s and names it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: `));
  });

  it('serves HTTP from one process unless API_PROCESSES says how many (auto: one per core)', () => {
    expect(loadConfig({}).http.processes).toBe(1);
    expect(loadConfig({ API_PROCESSES: '3' }).http.processes).toBe(3);
    expect(loadConfig({ API_PROCESSES: 'auto' }).http.processes).toBe(availableParallelism());
  });

  it('logs pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(loadConfig({}, true).logFormat).toBe('pretty');
    expect(loadConfig({}, false).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }, true).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }, false).logFormat).toBe('pretty');
  });

  it('never repeats the offending value (it may be a secret)', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'sk_tooShortButSecret' })).toThrow(/ADMIN_API_KEY: /);
    expect(() => loadConfig({ ADMIN_API_KEY: 'sk_tooShortButSecret' })).not.toThrow(/tooShortButSecret/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).http.port).toBe(3000);
  });
});
