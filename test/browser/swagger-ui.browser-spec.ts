import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, nonLoopbackAddress } from '../support/browser';
import { createTestEnvironment, TestApp, TestEnvironment } from '../support/test-app';

/** Screenshots of this run, beside the others and git-ignored. */
const RUN_DIR = join(__dirname, '..', '..', 'test-results', `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);

/**
 * Collects the page's CSP violations. Page code, kept as text: the tests compile without the DOM
 * library, and this runs in the browser before any of the page's own scripts.
 */
const RECORD_CSP_VIOLATIONS = `
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.cspViolations.push(event.violatedDirective + ' blocked ' + event.blockedURI);
  });
`;

/**
 * Swagger UI in headless Chromium, opened the way a user on a VM or a LAN opens it: plain HTTP
 * to a non-loopback address of the machine Strata listens on (0.0.0.0). Browsers exempt
 * localhost from https upgrades, so a test through 127.0.0.1 would pass while users see a
 * blank page.
 */
describe('Swagger UI in a browser', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let browser: Browser;
  let page: Page;
  let docsUrl: string;
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    await strata.app.listen(0, '0.0.0.0');
    const { port } = strata.app.getHttpServer().address() as AddressInfo;
    docsUrl = `http://${nonLoopbackAddress()}:${port}/docs`;

    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on('requestfailed', (request) => failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
    await page.addInitScript({ content: RECORD_CSP_VIOLATIONS });
  });

  afterAll(async () => {
    await browser?.close();
    await environment?.teardown();
  });

  it('renders every tag and its operations, with no console error and no CSP violation', async () => {
    const document = (await strata.api().get('/docs-json').expect(200)).body as { tags: Array<{ name: string }> };
    const tags = document.tags.map((tag) => tag.name);
    expect(tags.length).toBeGreaterThan(5);

    const response = await page.goto(docsUrl, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    try {
      await page.locator('.opblock').first().waitFor({ state: 'visible', timeout: 15000 });
    } finally {
      await mkdir(RUN_DIR, { recursive: true });
      await page.screenshot({ path: join(RUN_DIR, 'swagger.png'), fullPage: true });
    }

    // Every tag group, in the document's order, each with its operations.
    const shownTags = await page.locator('.opblock-tag').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-tag')));
    expect(shownTags).toEqual(tags);
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(await page.locator('.info .title').innerText()).toMatch(/Strata/);

    expect({ consoleErrors, failedRequests, cspViolations: await page.evaluate('window.cspViolations') }).toEqual({
      consoleErrors: [],
      failedRequests: [],
      cspViolations: [],
    });

    // The recorder itself works: an inline script, which the CSP forbids, is reported.
    await page.addScriptTag({ content: 'void 0' }).catch(() => undefined);
    expect(await page.evaluate('window.cspViolations')).toEqual([expect.stringMatching(/^script-src/)]);
  });

  it('leaves the optional filters of a list empty in Try-it-out', async () => {
    const list = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/api/v1/pages"]') });
    await list.locator('.opblock-summary').click();
    await list.locator('button.try-out__btn').click();
    for (const name of ['tag', 'q', 'cursor']) {
      const input = list.locator(`tr[data-param-name="${name}"] input`);
      await input.waitFor({ state: 'visible', timeout: 5000 });
      expect({ name, value: await input.inputValue() }).toEqual({ name, value: '' });
    }
    // The example is still there to read.
    expect(await list.locator('tr[data-param-name="tag"]').innerText()).toMatch(/Example: news/);
  });

  it('authorizes with an sk_ key, and Try it out answers 2xx on a list, a create and a file upload', async () => {
    // The first test's deliberate inline script was reported on both channels: start clean.
    consoleErrors.length = 0;
    failedRequests.length = 0;
    await page.evaluate('window.cspViolations = []');
    const key = environment.env.ADMIN_API_KEY;
    expect(key).toMatch(/^sk_/);
    await page.locator('button.btn.authorize').first().click();
    const bearer = page.locator('.auth-container', { has: page.locator('h4', { hasText: /^bearer/ }) });
    await bearer.locator('input').fill(key);
    await bearer.locator('button.authorize').click();
    // Authorized: the section shows the scheme as logged in, with a Logout button.
    await bearer.locator('button', { hasText: 'Logout' }).waitFor({ state: 'visible', timeout: 5000 });
    await page.locator('.dialog-ux button.close-modal').click();

    // A list (already in Try-it-out mode from the test above).
    const list = operation('get', '/api/v1/pages');
    expectStatus(await execute(list), '200');

    // A create, with a body typed into the example's place.
    const create = operation('post', '/api/v1/pages');
    await open(create);
    await create.locator('textarea.body-param__text').fill(JSON.stringify({ title: 'From Swagger UI', slug: 'from-swagger-ui' }));
    expectStatus(await execute(create), '201');
    const created = (await strata.api().get('/api/v1/pages?slug=from-swagger-ui').expect(200)).body;
    expect(created.data.map((item: { title: string }) => item.title)).toEqual(['From Swagger UI']);

    // A file upload: the multipart form's file part is a file picker.
    const upload = operation('post', '/api/v1/media');
    await open(upload);
    await upload.locator('input[type=file]').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: PNG_PIXEL });
    expectStatus(await execute(upload), '201');
    const media = (await strata.api().get('/api/v1/media').expect(200)).body;
    expect(media.data).toEqual([expect.objectContaining({ filename: 'pixel.png', mimeType: 'image/png', sizeBytes: PNG_PIXEL.length })]);

    await page.screenshot({ path: join(RUN_DIR, 'swagger-try-it-out.png'), fullPage: true });
    expect({ consoleErrors, failedRequests, cspViolations: await page.evaluate('window.cspViolations') }).toEqual({
      consoleErrors: [],
      failedRequests: [],
      cspViolations: [],
    });
  }, 180_000); // three round trips through a full Swagger UI page on a shared 2-core machine

  /** An operation's block in Swagger UI, by method and path. */
  const operation = (method: string, path: string) => page.locator(`.opblock-${method}`, { has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });

  /** Expands the operation and switches it to Try-it-out. */
  async function open(block: ReturnType<typeof operation>): Promise<void> {
    await block.locator('.opblock-summary').click();
    await block.locator('button.try-out__btn').click();
  }

  /** Presses Execute and returns the status Swagger UI shows for the live response, and its body (to read when the status is wrong). */
  async function execute(block: ReturnType<typeof operation>): Promise<{ status: string; body: string }> {
    await block.locator('button.execute').click();
    const response = block.locator('.live-responses-table tr.response');
    await response.waitFor({ state: 'visible', timeout: 15000 });
    const status = (await response.locator('.response-col_status').innerText()).trim();
    const body = await response.locator('.response-col_description').innerText();
    const request = await block.locator('.curl-command').innerText();
    return { status, body: `${request}\n${body}` };
  }
});

/** Fails with the response body Swagger UI showed, which says why. */
function expectStatus(shown: { status: string; body: string }, status: string): void {
  if (shown.status !== status) throw new Error(`Try it out answered ${shown.status}, not ${status}:\n${shown.body}`);
}

/** The smallest valid PNG: one transparent pixel. */
const PNG_PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
