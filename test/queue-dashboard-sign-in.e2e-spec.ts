import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTlsServer, Server as TlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { SecretBox } from '@strata/core';
import { AdminSessions } from '../libs/webhooks/src/dashboard/admin-session';
import { bearer, createKey, pollUntil } from './support/api-keys';
import { createTestEnvironment, TestApp, TestEnvironment } from './support/test-app';

const COOKIE = 'strata_admin_session';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const FORM = 'application/x-www-form-urlencoded';

/** The Set-Cookie line for the session cookie, and its `name=value` pair to send back. */
function sessionCookie(response: request.Response): { line: string; pair: string } {
  const lines = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const line = lines.find((candidate) => candidate.startsWith(`${COOKIE}=`));
  if (!line) throw new Error(`no ${COOKIE} cookie in ${JSON.stringify(lines)}`);
  return { line, pair: line.split(';')[0] };
}

function attributes(line: string): string[] {
  return line
    .split(';')
    .slice(1)
    .map((part) => part.trim().toLowerCase());
}

/** The browser session for the queue dashboard: sign-in form, signed cookie, sign-out. */
describe('queue dashboard sign-in from a browser', () => {
  let environment: TestEnvironment;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    a = await environment.start();
    b = await environment.start();
  });
  afterAll(() => environment?.teardown());

  function signIn(strata: TestApp, key: string): request.Test {
    return request(strata.server).post('/admin/sign-in').type(FORM).set('accept', HTML).send({ key });
  }

  it('sends a browser without credentials to the sign-in page, and an API client a 401 problem', async () => {
    const browser = await request(a.server).get('/admin/queues').set('accept', HTML).expect(303);
    expect(browser.headers.location).toBe('/admin/sign-in');
    const client = await request(a.server).get('/admin/queues').set('accept', 'application/json').expect(401);
    expect(client.headers['content-type']).toContain('application/problem+json');
  });

  it('serves a sign-in form without any script, under the strict CSP', async () => {
    const page = await request(a.server).get('/admin/sign-in').set('accept', HTML).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-store');
    // So that browsers post the form with this origin in Origin (no-referrer makes it `null`).
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.text).toContain('<form method="post" action="/admin/sign-in">');
    expect(page.text).toContain('name="key" type="password"');
    expect(page.text).toContain('action="/admin/sign-out"');
    expect(page.text).not.toMatch(/<script|\son\w+=/i);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('signs in with an admin key: a signed, HttpOnly, SameSite=Strict cookie on /admin that never holds the key', async () => {
    const response = await signIn(a, environment.env.ADMIN_API_KEY).expect(303);
    expect(response.headers.location).toBe('/admin/queues');
    const { line, pair } = sessionCookie(response);
    expect(attributes(line)).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/admin', 'max-age=3600']));
    expect(attributes(line)).not.toContain('secure');
    expect(decodeURIComponent(pair)).not.toContain(environment.env.ADMIN_API_KEY);
    expect(decodeURIComponent(pair)).not.toContain(environment.env.ADMIN_API_KEY.slice(3, 15));
  });

  it('opens the dashboard and its API with the cookie, on every instance', async () => {
    const { pair } = sessionCookie(await signIn(a, environment.env.ADMIN_API_KEY).expect(303));
    for (const strata of [a, b]) {
      const page = await request(strata.server).get('/admin/queues').set('accept', HTML).set('cookie', pair).expect(200);
      expect(page.headers['content-type']).toContain('text/html');
      const queues = await request(strata.server).get('/admin/queues/api/queues').set('cookie', pair).expect(200);
      expect(JSON.stringify(queues.body)).toContain('webhook-deliveries');
    }
    const form = await request(a.server).get('/admin/sign-in').set('accept', HTML).set('cookie', pair).expect(200);
    expect(form.text).toContain('You are signed in.');
  });

  it('signs in with an issued key that has the admin scope, and ends the session on every instance when the key is revoked', async () => {
    const issued = await createKey(a, { name: 'dashboard operator', scopes: ['admin'], tier: 'unlimited' });
    const { pair } = sessionCookie(await signIn(a, issued.key).expect(303));
    expect(decodeURIComponent(pair)).toContain(issued.id);
    expect(decodeURIComponent(pair)).not.toContain(issued.key);
    await request(b.server).get('/admin/queues/api/queues').set('cookie', pair).expect(200);

    await a.api().patch(`/api/v1/api-keys/${issued.id}/revoke`).expect(200);
    await pollUntil(async () => (await request(b.server).get('/admin/queues/api/queues').set('cookie', pair)).status === 401, 5_000);
    await request(a.server).get('/admin/queues/api/queues').set('cookie', pair).expect(401);
    const browser = await request(a.server).get('/admin/queues').set('accept', HTML).set('cookie', pair).expect(303);
    expect(browser.headers.location).toBe('/admin/sign-in');
    // The dead session's cookie is cleared on the way.
    expect(attributes(sessionCookie(browser).line)).toContain('max-age=0');
  });

  it('refuses a tampered cookie, one signed with another secret, and an expired one', async () => {
    const issued = await createKey(a, { name: 'second operator', scopes: ['admin'], tier: 'unlimited' });
    const { pair } = sessionCookie(await signIn(a, issued.key).expect(303));
    const value = decodeURIComponent(pair.slice(COOKIE.length + 1));
    const [format, keyId, expires, signature] = value.split('.');
    expect([format, keyId]).toEqual(['v1', issued.id]);
    const send = (cookieValue: string) =>
      request(a.server)
        .get('/admin/queues/api/queues')
        .set('cookie', `${COOKIE}=${encodeURIComponent(cookieValue)}`);

    await send(value).expect(200);
    // Later expiry, other key (the admin key), flipped signature: the signature no longer matches.
    await send([format, keyId, String(Number(expires) + 86_400), signature].join('.')).expect(401);
    await send([format, 'admin', expires, signature].join('.')).expect(401);
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    await send([format, keyId, expires, flipped].join('.')).expect(401);
    await send([format, keyId, expires].join('.')).expect(401);
    await send('garbage').expect(401);

    // Validly signed, but by a server with another SECRETS_ENCRYPTION_KEY.
    const sessions = a.app.get(AdminSessions, { strict: false });
    const otherServer = new AdminSessions(new SecretBox(Buffer.alloc(32, 7)), undefined as never);
    await send(otherServer.seal(issued.id)).expect(401);
    // Signed by this server, but its expiry (inside the signed value) has passed: refused even
    // if a client kept the cookie beyond its Max-Age.
    await send(sessions.seal(issued.id, Date.now() - 2 * 3600_000)).expect(401);
    await send(sessions.seal(issued.id, Date.now() - 3600_000 - 1000)).expect(401);
    await send(sessions.seal(issued.id)).expect(200);
  });

  it('shows the form again, with the reason, for a wrong key or a key without the admin scope; no cookie is set', async () => {
    const wrong = await signIn(a, 'sk_' + 'x'.repeat(40)).expect(401);
    expect(wrong.headers['content-type']).toContain('text/html');
    expect(wrong.text).toContain('That key is not valid');
    expect(wrong.text).toContain('<form method="post" action="/admin/sign-in">');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const empty = await request(a.server).post('/admin/sign-in').type(FORM).send('key=').expect(401);
    expect(empty.headers['set-cookie']).toBeUndefined();

    const reader = await createKey(a, { name: 'reader', scopes: ['content:read'], tier: 'unlimited' });
    const forbidden = await signIn(a, reader.key).expect(403);
    expect(forbidden.text).toContain('does not have the admin scope');
    expect(forbidden.headers['set-cookie']).toBeUndefined();
    // Through headers, as before: the key is valid, but not for the dashboard.
    await request(a.server).get('/admin/queues').set(bearer(reader.key)).expect(403);
  });

  it('refuses sign-in and sign-out posted from another origin, and accepts them from this one', async () => {
    const crossSite = await signIn(a, environment.env.ADMIN_API_KEY).set('origin', 'https://evil.example').expect(403);
    expect(crossSite.headers['set-cookie']).toBeUndefined();
    expect(crossSite.text).toContain('another origin');
    await signIn(a, environment.env.ADMIN_API_KEY).set('origin', 'null').expect(403);
    await signIn(a, environment.env.ADMIN_API_KEY).set('origin', 'null').set('sec-fetch-site', 'cross-site').expect(403);
    await signIn(a, environment.env.ADMIN_API_KEY).set('sec-fetch-site', 'cross-site').expect(403);
    // `Origin: null` comes from same-origin pages too (under a no-referrer policy): Sec-Fetch-Site tells.
    await signIn(a, environment.env.ADMIN_API_KEY).set('origin', 'null').set('sec-fetch-site', 'same-origin').expect(303);

    const sameSite = await signIn(a, environment.env.ADMIN_API_KEY).set('host', 'strata.test:3000').set('origin', 'http://strata.test:3000').expect(303);
    const { pair } = sessionCookie(sameSite);
    await request(a.server).post('/admin/sign-out').set('cookie', pair).set('origin', 'https://evil.example').expect(403);
    await request(a.server).get('/admin/queues/api/queues').set('cookie', pair).expect(200);
  });

  it('takes dashboard actions on the cookie only from this origin', async () => {
    const { pair } = sessionCookie(await signIn(a, environment.env.ADMIN_API_KEY).expect(303));
    const resume = () => request(a.server).put('/admin/queues/api/queues/webhook-deliveries/resume').set('cookie', pair);
    const refused = await resume().set('origin', 'https://evil.example').expect(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    await resume().set('origin', 'null').set('sec-fetch-site', 'cross-site').expect(403);
    await resume().set('origin', 'null').set('sec-fetch-site', 'same-origin').expect(200);
    await resume().expect(200);
    // An API key in a header is not something a browser attaches by itself: no origin check.
    await request(a.server)
      .put('/admin/queues/api/queues/webhook-deliveries/resume')
      .set(bearer(environment.env.ADMIN_API_KEY))
      .set('origin', 'https://evil.example')
      .expect(200);
  });

  it('signs out: the cookie is cleared', async () => {
    const { pair } = sessionCookie(await signIn(a, environment.env.ADMIN_API_KEY).expect(303));
    const out = await request(a.server).post('/admin/sign-out').set('cookie', pair).set('accept', HTML).expect(303);
    expect(out.headers.location).toBe('/admin/sign-in?signed-out');
    const cleared = sessionCookie(out);
    expect(cleared.pair).toBe(`${COOKIE}=`);
    expect(attributes(cleared.line)).toEqual(expect.arrayContaining(['path=/admin', 'max-age=0']));
    const page = await request(a.server).get('/admin/sign-in?signed-out').expect(200);
    expect(page.text).toContain('You are signed out.');
  });
});

/** Sign-in attempts are requests without a valid key: the client address's `anonymous` budget applies. */
describe('queue dashboard sign-in rate limit', () => {
  let environment: TestEnvironment;
  let strata: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment({ RATE_LIMIT_TIERS: JSON.stringify({ anonymous: { perMinute: 3, perDay: 1000 } }) });
    strata = await environment.start();
  });
  afterAll(() => environment?.teardown());

  it('counts every attempt against the client address, and refuses the form beyond the budget', async () => {
    const signIn = (key: string) => request(strata.server).post('/admin/sign-in').type(FORM).set('accept', HTML).send({ key });
    await signIn(environment.env.ADMIN_API_KEY).expect(303);
    for (let attempt = 0; attempt < 2; attempt++) await signIn('sk_' + 'y'.repeat(40)).expect(401);
    const refused = await signIn(environment.env.ADMIN_API_KEY).expect(429);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.text).toContain('Too many attempts');
    expect(refused.headers['set-cookie']).toBeUndefined();
  });
});

/** Over HTTPS (TLS terminated by Strata's own socket) the cookie is also `Secure`. */
describe('queue dashboard sign-in over HTTPS', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let tls: TlsServer;
  let certificate: Buffer;
  let origin: string;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    const directory = mkdtempSync(join(tmpdir(), 'strata-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(directory, 'key.pem'),
          '-out',
          join(directory, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      certificate = readFileSync(join(directory, 'cert.pem'));
      // The TLS socket is handed to Strata's HTTP server, as a server started with `https` would.
      tls = createTlsServer({ key: readFileSync(join(directory, 'key.pem')), cert: certificate }, (socket) => strata.server.emit('connection', socket));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => tls?.close(resolve));
    await environment?.teardown();
  });

  it('sets the Secure attribute when the request arrived over HTTPS, and the cookie works there', async () => {
    const response = await request(origin)
      .post('/admin/sign-in')
      .ca(certificate)
      .type(FORM)
      .set('origin', origin)
      .send({ key: environment.env.ADMIN_API_KEY })
      .expect(303);
    const { line, pair } = sessionCookie(response);
    expect(attributes(line)).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=strict', 'path=/admin', 'max-age=3600']));
    await request(origin).get('/admin/queues/api/queues').ca(certificate).set('cookie', pair).expect(200);
    // The same app over plain HTTP does not mark it Secure.
    const plain = await request(strata.server).post('/admin/sign-in').type(FORM).send({ key: environment.env.ADMIN_API_KEY }).expect(303);
    expect(attributes(sessionCookie(plain).line)).not.toContain('secure');
  });

  it('behind a proxy TRUST_PROXY trusts, takes HTTPS and the origin from X-Forwarded-Proto and -Host', async () => {
    const proxied = await environment.start({ TRUST_PROXY: 'loopback' });
    const viaProxy = () =>
      request(proxied.server)
        .post('/admin/sign-in')
        .type(FORM)
        .set('x-forwarded-proto', 'https')
        .set('x-forwarded-host', 'strata.example')
        .set('origin', 'https://strata.example');
    const response = await viaProxy().send({ key: environment.env.ADMIN_API_KEY }).expect(303);
    expect(attributes(sessionCookie(response).line)).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=strict', 'path=/admin']));
    // Without TRUST_PROXY the same headers are not believed: the browser's origin is not this server's.
    await request(strata.server)
      .post('/admin/sign-in')
      .type(FORM)
      .set('x-forwarded-proto', 'https')
      .set('x-forwarded-host', 'strata.example')
      .set('origin', 'https://strata.example')
      .send({ key: environment.env.ADMIN_API_KEY })
      .expect(403);
  });
});
