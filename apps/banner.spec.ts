import { bannerLines } from './banner';

describe('bannerLines', () => {
  const http = { host: '0.0.0.0', port: 3000, queueDashboard: true, console: false };

  it('names addresses a browser can open when bound to every interface', () => {
    for (const host of ['0.0.0.0', '::']) {
      const text = bannerLines({ role: 'all', http: { ...http, host } }).join('\n');
      expect(text).toContain('API        http://localhost:3000/api/v1');
      expect(text).toContain('API docs   http://localhost:3000/docs');
      expect(text).toContain('Queues     http://localhost:3000/admin/queues');
    }
  });

  it('keeps a specific host, bracketing an IPv6 one', () => {
    expect(bannerLines({ role: 'api', http: { ...http, host: '10.0.0.5' } }).join('\n')).toContain('http://10.0.0.5:3000/docs');
    expect(bannerLines({ role: 'api', http: { ...http, host: 'fd00::5' } }).join('\n')).toContain('http://[fd00::5]:3000/docs');
  });

  it('lists only what exists: no console, no dashboard, no key unless there is one', () => {
    const text = bannerLines({ role: 'api', http: { ...http, queueDashboard: false } }).join('\n');
    expect(text).not.toMatch(/Console|Queues|Admin key/);
    expect(bannerLines({ role: 'all', http: { ...http, console: true } }).join('\n')).toContain('Console    http://localhost:3000/console');
  });

  it('shows a key generated at this boot', () => {
    expect(bannerLines({ role: 'all', http, generatedAdminKey: 'sk_abc' }).join('\n')).toMatch(/Admin key {2}sk_abc\b.*store it now/);
  });

  it('is one line for the worker', () => {
    expect(bannerLines({ role: 'worker' })).toEqual([expect.stringMatching(/^Strata \d+\.\d+\.\d+\S* is ready \(role worker\)/)]);
  });
});
