import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { UsageFlusher } from '@strata/api-keys';
import { bearer } from '../support/api-keys';
import { launchChromium, nonLoopbackAddress } from '../support/browser';
import { createTestEnvironment, TestApp, TestEnvironment } from '../support/test-app';
import { eventually, WebhookReceiver } from '../support/webhook-receiver';

/** Screenshots of this run, beside the others and git-ignored. */
const RUN_DIR = join(__dirname, '..', '..', 'test-results', `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-console`);

/** Collects CSP violations (page code, as text: the tests compile without the DOM library). */
const RECORD_CSP_VIOLATIONS = `
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.cspViolations.push(event.violatedDirective + ' blocked ' + event.blockedURI);
  });
`;

/** A 1x1 PNG, for the upload and its preview. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/**
 * Errors a page may log because the test provokes them: the browser reports every 4xx answer
 * as "Failed to load resource", and these flows get a 401 (bad key), a 412 (the edit conflict) and
 * a 429 (a key out of budget) on purpose. A 403 is not among them: the console learns a key's
 * scopes from /api-keys/self and never tries what the key may not do. Anything else fails the run.
 */
const PROVOKED = /^Failed to load resource: the server responded with a status of (401|412|429) /;

/**
 * The console in headless Chromium against a live Strata (real PostgreSQL and Redis), opened
 * over plain HTTP by a non-loopback address as a user on a LAN would: sign in with a pasted key,
 * every page, the flows that matter (edit with a 412 conflict, upload with preview, link two
 * items and see the edge, a webhook's test delivery and redelivery, keys created and revoked, a
 * read-only key that sees no write action, a module created and edited, a 429 shown with when to
 * try again), with no console error and no CSP violation.
 */
describe('Strata Console in a browser', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let receiver: WebhookReceiver;
  const problems: string[] = [];

  /** A page that records what must not happen: script errors, unexpected console errors, failed requests. */
  async function watchedPage(target: BrowserContext): Promise<Page> {
    const opened = await target.newPage();
    await opened.addInitScript({ content: RECORD_CSP_VIOLATIONS });
    opened.on('console', (message) => {
      if (message.type() === 'error' && !PROVOKED.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    opened.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    opened.on('requestfailed', (request) => {
      // The live event stream is cut when the page goes: that is not a failure.
      if (!(request.url().endsWith('/api/v1/events') && request.failure()?.errorText === 'net::ERR_ABORTED')) {
        problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
      }
    });
    return opened;
  }

  async function cspViolations(target: Page): Promise<string[]> {
    // A page that has not opened the console yet (about:blank) has no recorder and nothing to report.
    return (await target.evaluate<string[] | undefined>('window.cspViolations')) ?? [];
  }

  async function screenshot(target: Page, name: string): Promise<void> {
    await mkdir(RUN_DIR, { recursive: true });
    await target.screenshot({ path: join(RUN_DIR, `${name}.png`), fullPage: true });
  }

  async function signIn(target: Page, key: string): Promise<void> {
    await target.goto(`${base}/console/`);
    await target.fill('#api-key', key);
    await target.click('button[type=submit]');
    await target.locator('nav[aria-label=Pages]').waitFor();
  }

  /** Opens a page of the console as the admin, signing in first when this tab has no key yet (each test can run alone). */
  async function open(hash: string): Promise<void> {
    await page.goto(`${base}/console/${hash}`);
    await page.locator('nav[aria-label=Pages], #api-key').first().waitFor();
    if ((await page.locator('#api-key').count()) > 0) {
      await page.fill('#api-key', environment.env.ADMIN_API_KEY);
      await page.click('button[type=submit]');
      await page.locator('nav[aria-label=Pages]').waitFor();
    }
  }

  beforeAll(async () => {
    environment = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    strata = await environment.start();
    await strata.app.listen(0, '0.0.0.0');
    base = `http://${nonLoopbackAddress()}:${(strata.server.address() as AddressInfo).port}`;
    receiver = await new WebhookReceiver().start();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await watchedPage(context);
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await environment?.teardown();
  });

  afterEach(async () => {
    expect({ problems, cspViolations: await cspViolations(page) }).toEqual({ problems: [], cspViolations: [] });
  });

  it('loads cold under its own strict CSP with immutable assets, and measures the first render', async () => {
    const cold = await browser.newContext();
    const coldPage = await watchedPage(cold);
    const response = await coldPage.goto(`${base}/console/`);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
    expect(response?.headers()['cache-control']).toBe('no-cache');
    await coldPage.locator('#api-key').waitFor();
    const firstRenderMs = await coldPage.evaluate<number>("performance.getEntriesByName('console:first-render')[0].startTime");
    const assets = await coldPage.evaluate<Array<{ name: string; encodedBodySize: number }>>(
      "performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/console/assets/')).map((entry) => ({ name: entry.name, encodedBodySize: entry.encodedBodySize }))",
    );
    expect(assets.map((asset) => asset.name.split('.').pop()).sort()).toEqual(['css', 'js']);
    const assetResponse = await strata
      .api()
      .get(new URL(assets.find((asset) => asset.name.endsWith('.js'))!.name).pathname)
      .set('accept-encoding', 'gzip');
    expect(assetResponse.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(assetResponse.headers['content-encoding']).toBe('gzip');
    // Read by the report: how long a cold load takes to draw, and what it costs on the wire.
    console.log(
      `console cold load: first render at ${firstRenderMs.toFixed(0)} ms; assets ${assets.map((asset) => `${asset.name.split('/').pop()} ${asset.encodedBodySize} B compressed`).join(', ')}`,
    );
    expect(firstRenderMs).toBeGreaterThan(0);

    // A second load in the same browser takes the assets from its cache without asking.
    await coldPage.reload();
    await coldPage.locator('#api-key').waitFor();
    const reloaded = await coldPage.evaluate<number[]>(
      "performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/console/assets/')).map((entry) => entry.transferSize)",
    );
    expect(reloaded).toEqual([0, 0]);
    await screenshot(coldPage, 'sign-in');
    expect(await cspViolations(coldPage)).toEqual([]);
    await cold.close();
  });

  it("shows a rejected key's problem (title and detail), then signs in keeping the key in sessionStorage only", async () => {
    await page.goto(`${base}/console/`);
    await page.fill('#api-key', 'sk_notARealKey000000000000000000000000000');
    await page.click('button[type=submit]');
    await page.locator('.problem').waitFor();
    expect(await page.locator('.problem-title').innerText()).toMatch(/Unauthorized \(401\)/);
    expect(await page.locator('.problem-detail').innerText()).toBe('The API key is not valid.');

    await signIn(page, environment.env.ADMIN_API_KEY);
    expect(await page.locator('nav[aria-label=Pages] a').allInnerTexts()).toEqual(['Overview', 'Content', 'Relationships', 'Webhooks', 'API keys', 'Cache']);
    expect(await page.evaluate("sessionStorage.getItem('strata.console.apiKey')")).toBe(environment.env.ADMIN_API_KEY);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await context.cookies()).toEqual([]);
    expect(page.url()).not.toContain(environment.env.ADMIN_API_KEY);
  });

  it('shows the overview: health, live charts and events streaming in', async () => {
    await open('#/overview');
    await page.locator('.indicators li').first().waitFor();
    expect(await page.locator('.indicators').innerText()).toMatch(/postgres/);
    // The stream is open (the dot says so) before the event is made, so it arrives live.
    await page.locator('.live-events .dot.on').waitFor();
    await strata.api().post('/api/v1/pages').send({ slug: 'live-event', title: 'Live event' }).expect(201);
    await page.locator('.live-events li', { hasText: 'page.created' }).waitFor();
    await page.locator('.stats.headline dd', { hasText: /^\d/ }).first().waitFor();
    await page.waitForTimeout(4500);
    await screenshot(page, 'overview');
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
  });

  it('creates and edits a page, and shows a clear conflict when someone else saved first (412)', async () => {
    await open('#/content/pages/new');
    await page.fill('input[name=title]', 'Hello console');
    await page.fill('input[name=slug]', 'hello-console');
    await page.fill('textarea[name=body]', 'First words.');
    await page.click('button:has-text("Create page")');
    await page.locator('h2', { hasText: 'Hello console' }).waitFor();
    const id = page.url().split('/').pop()!;

    await page.fill('input[name=title]', 'Hello console, edited');
    await page.click('button:has-text("Save")');
    await page.locator('.version', { hasText: '2' }).waitFor();
    expect((await strata.api().get(`/api/v1/pages/${id}`).expect(200)).body).toMatchObject({ title: 'Hello console, edited', version: 2 });

    // Someone else saves version 3 while the form still holds version 2.
    await strata.api().patch(`/api/v1/pages/${id}`).send({ body: 'Their words.' }).expect(200);
    await page.fill('input[name=title]', 'My late edit');
    await page.click('button:has-text("Save")');
    await page.locator('.conflict').waitFor();
    expect(await page.locator('.conflict').innerText()).toMatch(/Changed by someone else[\s\S]*412 Precondition Failed/);
    expect((await strata.api().get(`/api/v1/pages/${id}`).expect(200)).body).toMatchObject({ title: 'Hello console, edited', body: 'Their words.' });
    await screenshot(page, 'content-conflict');
    await page.click('button:has-text("Load latest version")');
    await page.locator('.version', { hasText: '3' }).waitFor();
    expect(await page.inputValue('textarea[name=body]')).toBe('Their words.');

    await open('#/content/pages');
    await page.fill('input[type=search]', 'edited');
    await page.locator('table.list a', { hasText: 'Hello console, edited' }).waitFor();
    await screenshot(page, 'content');
  });

  it('creates and edits a module, and shows a 429 problem with when to try again', async () => {
    await open('#/content/modules/new');
    await page.fill('input[name=title]', 'Console hero');
    await page.fill('input[name=kind]', 'hero');
    await page.fill('textarea[name=content]', '{"text": "Hello"}');
    await page.click('button:has-text("Create module")');
    await page.locator('h2', { hasText: 'Console hero' }).waitFor();
    const id = page.url().split('/').pop()!;
    await page.fill('input[name=tags]', 'home, hero');
    await page.click('button:has-text("Save")');
    await page.locator('.version', { hasText: '2' }).waitFor();
    expect((await strata.api().get(`/api/v1/modules/${id}`).expect(200)).body).toMatchObject({
      kind: 'hero',
      content: { text: 'Hello' },
      tags: ['home', 'hero'],
      version: 2,
    });

    // A key with a budget of 10 a minute, spent from elsewhere while its console tab holds a filled form.
    const limited = (
      await strata
        .api()
        .post('/api/v1/api-keys')
        .send({ name: 'limited', scopes: ['content:read', 'content:write'], tier: 'free', rateLimit: { perMinute: 10, perDay: 1000 } })
        .expect(201)
    ).body.key as string;
    const limitedContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const limitedPage = await watchedPage(limitedContext);
    await signIn(limitedPage, limited);
    await limitedPage.goto(`${base}/console/#/content/modules/new`);
    await limitedPage.fill('input[name=title]', 'Never created');
    await limitedPage.fill('input[name=kind]', 'hero');
    while ((await strata.api(bearer(limited)).get('/api/v1/modules')).status !== 429);
    await limitedPage.click('button:has-text("Create module")');
    const problem = limitedPage.locator('.problem');
    await problem.waitFor();
    expect(await problem.innerText()).toMatch(/\(429\)[\s\S]*Try again in \d+ s\./);
    await screenshot(limitedPage, 'rate-limited');
    expect(await cspViolations(limitedPage)).toEqual([]);
    await limitedContext.close();
    const titles = (await strata.api().get('/api/v1/modules?limit=100').expect(200)).body.data.map((module: { title: string }) => module.title);
    expect(titles).not.toContain('Never created');
  });

  it('uploads an image with progress and shows its preview', async () => {
    await open('#/content/media/new');
    await page.setInputFiles('input[name=file]', { name: 'pixel.png', mimeType: 'image/png', buffer: PNG });
    await page.fill('input[name=altText]', 'One red pixel');
    await page.click('button:has-text("Upload")');
    const preview = page.locator('img.preview');
    await preview.waitFor();
    await eventually(() => preview.evaluate((image: any) => image.complete === true && image.naturalWidth === 1), 'the preview image to load', 10000);
    expect(await preview.getAttribute('src')).toMatch(/^blob:/);
    expect(await preview.getAttribute('alt')).toBe('One red pixel');
    expect(await page.locator('a:has-text("Download")').getAttribute('download')).toBe('pixel.png');
    await screenshot(page, 'media');
  });

  it('links two items and shows the edge in the graph; a click (or Enter) on a node recentres it', async () => {
    const source = (await strata.api().post('/api/v1/pages').send({ slug: 'graph-source', title: 'Graph source' }).expect(201)).body;
    const target = (await strata.api().post('/api/v1/pages').send({ slug: 'graph-target', title: 'Graph target' }).expect(201)).body;
    await open(`#/relationships/page/${source.id}`);
    await page.selectOption('.add-link select[name=type]', 'references');
    await page.fill('input[aria-label="Link target: search"]', 'Graph target');
    await page.click('.add-link .picks button:has-text("Graph target")');
    await page.click('button:has-text("Add link")');
    await page.locator('table.links td', { hasText: 'Graph target' }).waitFor();
    const edge = page.locator(`g.edge[data-source="page:${source.id}"][data-target="page:${target.id}"]`);
    await edge.waitFor();
    expect(await edge.getAttribute('data-edge-type')).toBe('references');
    await screenshot(page, 'relationships');

    // From the target's side the link is incoming, with the inverse type.
    await page.focus(`g.node[data-node="page:${target.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/#/relationships/page/${target.id}`);
    await page.locator(`g.node.root[data-node="page:${target.id}"]`).waitFor();
    expect(await page.locator('table.links tbody tr').first().innerText()).toMatch(/in\s+referenced-by\s+page Graph source/);
  });

  it('creates a webhook (secret shown once), sends a test, shows the attempt and redelivers', async () => {
    await open('#/webhooks/new');
    await page.fill('input[name=url]', receiver.url);
    await page.fill('input[name=events]', 'page.*');
    await page.click('button:has-text("Create endpoint")');
    expect(await page.inputValue('.secret-once input')).toMatch(/^whsec_/);
    await page.click('.secret-once button:has-text("Done")');
    await page.locator('button:has-text("Send test")').click();
    await page.locator('.delivery.succeeded .attempt').first().waitFor({ timeout: 20000 });
    expect(await page.locator('.delivery .attempt').first().innerText()).toMatch(/204\s+\d+ ms/);
    expect(receiver.ofType('webhook.ping')).toHaveLength(1);

    await page.locator('.delivery button:has-text("Redeliver")').first().click();
    await eventually(() => receiver.ofType('webhook.ping').length === 2, 'the redelivery to arrive');
    await eventually(async () => (await page.locator('.delivery .attempt').count()) >= 2, 'the second attempt in the log');
    await screenshot(page, 'webhooks');

    // The list shows each endpoint's health.
    await open('#/webhooks');
    await page
      .locator('table.list tr', { hasText: receiver.url })
      .locator('td', { hasText: /100\.0 % of 2/ })
      .waitFor();
    await screenshot(page, 'webhooks-list');
  });

  it('creates keys (shown once, with a copy button), revokes one, and a read-only key sees no write action', async () => {
    const createKey = async (name: string, scopes: string[]) => {
      await open('#/keys');
      await page.click('button:has-text("New key")');
      await page.fill('input[name=name]', name);
      for (const box of await page.locator('input[name=scope]').all()) {
        const scope = await box.getAttribute('value');
        if (scopes.includes(scope!) !== (await box.isChecked())) await box.click();
      }
      await page.click('button:has-text("Create key")');
      const secret = await page.inputValue('.secret-once input');
      await page.click('.secret-once button:has-text("Copy")');
      await page.locator('.secret-once button:has-text("Copied")').waitFor();
      await page.click('.secret-once button:has-text("Done")');
      return secret;
    };
    const doomed = await createKey('doomed', ['content:read']);
    const reader = await createKey('reader', ['content:read']);
    expect(doomed).toMatch(/^sk_/);
    await page.locator('tr[data-key-name="doomed"]').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('tr[data-key-name="doomed"] button:has-text("Revoke")');
    await page.locator('tr[data-key-name="doomed"] .badge', { hasText: 'revoked' }).waitFor();
    await strata
      .api({ authorization: `Bearer ${doomed}` })
      .get('/api/v1/pages')
      .expect(401);
    await screenshot(page, 'api-keys');

    const readOnly = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const readerPage = await watchedPage(readOnly);
    await signIn(readerPage, reader);
    expect(await readerPage.locator('nav[aria-label=Pages] a').allInnerTexts()).toEqual(['Overview', 'Content', 'Relationships']);
    await strata.api().post('/api/v1/pages').send({ slug: 'for-the-reader', title: 'For the reader' }).expect(201);
    await readerPage.goto(`${base}/console/#/content/pages`);
    await readerPage.locator('table.list a', { hasText: 'For the reader' }).click();
    await readerPage.locator('.version').waitFor();
    expect(await readerPage.locator('a:has-text("New page"), button:has-text("Save"), button:has-text("Delete")').count()).toBe(0);
    expect(await readerPage.locator('input[name=title]').isDisabled()).toBe(true);
    await readerPage.click('a:has-text("Relationships") >> nth=-1');
    await readerPage.locator('table.links').waitFor();
    expect(await readerPage.locator('.add-link, button:has-text("Remove")').count()).toBe(0);
    await screenshot(readerPage, 'read-only-phone');
    expect(await cspViolations(readerPage)).toEqual([]);
    await readOnly.close();

    // Signing in and browsing tried nothing the key may not do: its usage shows no forbidden outcome.
    const readerId = (await strata.api(bearer(reader)).get('/api/v1/api-keys/self').expect(200)).body.id;
    await strata.app.get(UsageFlusher).publish();
    await strata.app.get(UsageFlusher).flush();
    const [usage] = (await strata.api().get(`/api/v1/api-keys/${readerId}/usage`).expect(200)).body.data;
    expect(usage.allowed).toBeGreaterThan(0);
    expect(usage.forbidden).toBe(0);
  });

  it('shows cache stats, flushes by tag and warms the most-read items', async () => {
    await open('#/cache');
    await page.locator('.stats dt', { hasText: 'Hit rate' }).waitFor();
    await page.fill('input[name=tags]', 'pages:list');
    await page.click('button:has-text("Flush tags")');
    await page.locator('.ok', { hasText: 'Flushed pages:list.' }).waitFor();
    await page.click('button:has-text("Warm")');
    await page.locator('.ok', { hasText: /items queued for warming/ }).waitFor();
    await screenshot(page, 'cache');
  });
});
