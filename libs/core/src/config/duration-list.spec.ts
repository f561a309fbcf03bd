import { DURATION_LIST, parseDurationList } from './duration-list';
import { loadConfig } from './load-config';

describe('duration lists', () => {
  it('parses every unit into milliseconds', () => {
    expect(parseDurationList('50ms, 5s,5m,30m,2h,1d')).toEqual([50, 5000, 300000, 1800000, 7200000, 86400000]);
  });

  it('refuses empty parts, unknown units and negative or fractional amounts', () => {
    for (const bad of ['', '5s,,5m', '5x', '-5s', '1.5s', 'soon', '5s,']) expect(DURATION_LIST.test(bad)).toBe(false);
    expect(DURATION_LIST.test('5s,5m,30m,2h,5h,10h,10h')).toBe(true);
  });
});

describe('WEBHOOK_RETRY_SCHEDULE', () => {
  it('is parsed at boot, and a bad value stops the boot naming the variable', () => {
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '1s,2m' }).webhooks.retryScheduleMs).toEqual([1000, 120000]);
    expect(loadConfig({}).webhooks.retryScheduleMs).toEqual([5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: 'soon' })).toThrow(/WEBHOOK_RETRY_SCHEDULE: /);
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_TARGETS/);
  });
});
