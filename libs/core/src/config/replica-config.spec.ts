import { ConfigError, loadConfig } from './load-config';

const PRIMARY = 'postgres://strata@db-primary:5432/strata';

describe('read replica configuration', () => {
  it('has no replicas and a 5 s lag bound by default', () => {
    const config = loadConfig({ DATABASE_URL: PRIMARY });
    expect(config.database.replicaUrls).toEqual([]);
    expect(config.database.replicaMaxLagMs).toBe(5000);
  });

  it('splits DATABASE_REPLICA_URLS on commas, spaces around them allowed', () => {
    const config = loadConfig({
      DATABASE_URL: PRIMARY,
      DATABASE_REPLICA_URLS: 'postgres://strata@replica-1:5432/strata, postgresql://strata:pw@replica-2/strata',
      DATABASE_REPLICA_MAX_LAG_MS: '1500',
    });
    expect(config.database.replicaUrls).toEqual(['postgres://strata@replica-1:5432/strata', 'postgresql://strata:pw@replica-2/strata']);
    expect(config.database.replicaMaxLagMs).toBe(1500);
  });

  it.each([
    ['DATABASE_REPLICA_URLS', 'mysql://replica/strata'],
    ['DATABASE_REPLICA_URLS', 'postgres://replica-1/strata,,postgres://replica-2/strata'],
    ['DATABASE_REPLICA_MAX_LAG_MS', '50'],
    ['DATABASE_REPLICA_MAX_LAG_MS', 'soon'],
  ])('stops on a bad %s and names it', (name, value) => {
    expect(() => loadConfig({ DATABASE_URL: PRIMARY, [name]: value })).toThrow(new RegExp(`${name}: `));
  });

  it('refuses replicas without DATABASE_URL (the embedded server has none)', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://replica-1/strata' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://replica-1/strata' })).toThrow(/DATABASE_REPLICA_URLS: needs DATABASE_URL/);
  });
});
