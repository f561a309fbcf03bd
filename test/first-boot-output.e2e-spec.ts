import { SpawnedApp } from './support/spawned-app';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { eventually } from './support/webhook-receiver';

/**
 * What a person sees after starting Strata, read from a real process whose output is a pipe
 * (not a terminal): JSON log lines only, and a plain-text banner with the addresses and an
 * admin key generated at this boot, printed whatever LOG_LEVEL is.
 */
describe('first boot output', () => {
  let environment: TestEnvironment;
  const apps: SpawnedApp[] = [];
  const spawn = async (env: Record<string, string>) => {
    const app = await SpawnedApp.start({ ...environment.env, ...env });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({ ADMIN_API_KEY: '' });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await environment?.teardown();
  });

  it('prints the addresses and the generated admin key in a banner at LOG_LEVEL=error, and logs the key nowhere else', async () => {
    const app = await spawn({ LOG_LEVEL: 'error' });
    const banner = await eventually(() => bannerIn(app.allOutput()), 'the start-up banner');
    expect(banner[0]).toMatch(/^Strata \d+\.\d+\.\d+\S* is ready \(role all\)$/);
    expect(banner).toContain(`  API        ${app.url}/api/v1`);
    expect(banner).toContain(`  API docs   ${app.url}/docs`);
    expect(banner).toContain(`  Queues     ${app.url}/admin/queues`);
    const key = /^ {2}Admin key +(sk_[A-Za-z0-9]+)\b/m.exec(banner.join('\n'))?.[1];
    expect(key).toBeDefined();

    const listed = await fetch(`${app.url}/api/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.status).toBe(200);
    expect(app.allOutput().split(key!)).toHaveLength(2);
    expect(await fetch(`${app.url}/docs`).then((response) => response.status)).toBe(200);

    // The next boot finds a key: no key in its banner.
    app.kill('SIGTERM');
    await app.exited;
    const again = await spawn({ LOG_LEVEL: 'error' });
    const second = await eventually(() => bannerIn(again.allOutput()), 'the second banner');
    expect(second.join('\n')).not.toMatch(/Admin key|sk_/);
  });

  it('writes JSON lines only when stdout is not a terminal: no Nest colour codes, route mapping at debug', async () => {
    // With REDIS_URL unset, start-up finds the Redis on 127.0.0.1:6379 and says so (a line
    // logged before the app exists); the key prefix still keeps this test's keys apart.
    const defaultRedis = environment.env.REDIS_URL === 'redis://127.0.0.1:6379';
    const app = await spawn({ LOG_LEVEL: 'debug', ...(defaultRedis ? { REDIS_URL: '', EMBEDDED_SERVICES: 'true' } : {}) });
    await eventually(() => app.allOutput().includes('listening on'), 'the listening line');
    // The banner follows the listening line at once: give it time to arrive, then set it apart.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const banner = bannerIn(app.allOutput()) ?? [];
    const logLines = app
      .allOutput()
      .split('\n')
      .filter((line) => line !== '' && !banner.includes(line));
    expect(app.allOutput()).not.toContain('\u001b[');
    const entries = logLines.map((line) => {
      try {
        return JSON.parse(line) as { level: number; msg: string; context?: string };
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    const mapped = entries.filter((entry) => /^Mapped \{/.test(entry.msg));
    expect(mapped.length).toBeGreaterThan(20);
    expect(mapped.every((entry) => entry.level === 20)).toBe(true);
    expect(entries.some((entry) => entry.context === 'NestApplication' && entry.level === 30)).toBe(true);
    if (defaultRedis)
      expect(entries).toContainEqual(
        expect.objectContaining({ context: 'Startup', level: 30, msg: expect.stringMatching(/^REDIS_URL is unset: using the Redis/) }),
      );
  });

  it('prints a one-line banner for the worker role', async () => {
    const worker = await spawn({ PROCESS_ROLE: 'worker', LOG_LEVEL: 'silent' });
    const banner = await eventually(() => bannerIn(worker.allOutput()), 'the worker banner');
    expect(banner).toEqual([expect.stringMatching(/^Strata \S+ is ready \(role worker\)/)]);
  });
});

/** The banner's lines: from "Strata … is ready" to the blank line after it (undefined until complete). */
function bannerIn(output: string): string[] | undefined {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => /^Strata \S+ is ready /.test(line));
  if (start === -1) return undefined;
  const end = lines.indexOf('', start);
  return end === -1 ? undefined : lines.slice(start, end);
}
