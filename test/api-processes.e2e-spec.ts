import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { SpawnedApp } from './support/spawned-app';
import { createTestEnvironment, TestEnvironment } from './support/test-app';
import { eventually } from './support/webhook-receiver';

/** The processes `pid` started, with the PROCESS_ROLE each was given (Linux /proc). */
function childProcesses(pid: number): Array<{ pid: number; role: string }> {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => {
    try {
      const environ = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
      return [{ pid: child, role: environ.find((entry) => entry.startsWith('PROCESS_ROLE='))?.slice('PROCESS_ROLE='.length) ?? '?' }];
    } catch {
      return [];
    }
  });
}

/** A JSON request on a connection of its own (agent: false), so node:cluster may hand it to any process. */
function freshConnectionCaller(baseUrl: string, headers: Record<string, string> = {}) {
  return (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const call = httpRequest(
        `${baseUrl}${path}`,
        { method, agent: false, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
        },
      );
      call.setTimeout(10_000, () => call.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
      call.on('error', reject);
      call.end(payload);
    });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * API_PROCESSES=2 in the `all` role: one supervisor, two HTTP processes on one port and one
 * queue consumer; a crashed process is replaced, writes are seen by every process, one banner,
 * and SIGTERM drains them all.
 */
describe('API_PROCESSES: several HTTP processes on one port', () => {
  let environment: TestEnvironment;
  let app: SpawnedApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    // LOG_LEVEL info: the supervisor's lines about the restarted process are checked.
    app = await SpawnedApp.start({ ...environment.env, API_PROCESSES: '2', LOG_LEVEL: 'info' }, 90_000);
    await eventually(() => /is ready \(role all, 2 HTTP processes\)/.test(app.allOutput()), 'the supervisor banner', 60_000);
  }, 120_000);
  afterAll(async () => {
    const children = app?.pid ? childProcesses(app.pid) : [];
    await app?.stop();
    for (const child of children) if (isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
    await environment?.teardown();
  });

  it('runs two HTTP processes and one queue consumer, and prints one banner', () => {
    const roles = childProcesses(app.pid!)
      .map((child) => child.role)
      .sort();
    expect(roles).toEqual(['api', 'api', 'worker']);
    expect(app.allOutput().match(/is ready \(role/g)).toHaveLength(1);
  });

  it('serves writes and reads consistently whichever process answers', async () => {
    const call = freshConnectionCaller(app.url, { authorization: `Bearer ${environment.env.ADMIN_API_KEY}` });
    const page = (await call('POST', '/api/v1/pages', { slug: 'everywhere', title: 'v1' })).body;
    for (let index = 0; index < 10; index++) expect((await call('GET', `/api/v1/pages/${page.id}`)).body.version).toBe(1);
    expect((await call('PATCH', `/api/v1/pages/${page.id}`, { title: 'v2' })).status).toBe(200);
    // Every process cached version 1; the write's invalidation reached all of them.
    for (let index = 0; index < 20; index++) expect((await call('GET', `/api/v1/pages/${page.id}`)).body).toMatchObject({ title: 'v2', version: 2 });
  });

  it('starts a killed HTTP process again, and keeps answering meanwhile', async () => {
    const [victim] = childProcesses(app.pid!).filter((child) => child.role === 'api');
    process.kill(victim.pid, 'SIGKILL');
    const call = freshConnectionCaller(app.url);
    // The other HTTP process answers while the killed one is replaced.
    for (let index = 0; index < 10; index++) expect((await call('GET', '/health/live')).status).toBe(200);
    await eventually(
      () => {
        const api = childProcesses(app.pid!).filter((child) => child.role === 'api');
        return api.length === 2 && !api.some((child) => child.pid === victim.pid);
      },
      'a new HTTP process in place of the killed one',
      10_000,
    );
    await eventually(() => /the http-\d process is back/.test(app.allOutput()), 'the supervisor to see it ready', 60_000);
  }, 120_000);

  it('drains every process on SIGTERM and exits 0', async () => {
    const children = childProcesses(app.pid!);
    app.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    for (const child of children) expect(isAlive(child.pid)).toBe(false);
  });
});
