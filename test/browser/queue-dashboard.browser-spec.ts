import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium, nonLoopbackAddress } from '../support/browser';
import { createTestEnvironment, TestApp, TestEnvironment } from '../support/test-app';

/**
 * The queue dashboard in headless Chromium, under the app's real security headers, opened over
 * plain HTTP by a non-loopback address as from a VM or a LAN (browsers treat localhost as
 * secure): sent to the sign-in form, signed in, the dashboard renders (its scripts allowed by
 * the CSP, its API answering to the cookie), signed out.
 */
describe('queue dashboard in a browser', () => {
  let environment: TestEnvironment;
  let strata: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    strata = await environment.start();
    await strata.app.listen(0, '0.0.0.0');
    base = `http://${nonLoopbackAddress()}:${(strata.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await environment?.teardown();
  });

  it('signs in through the form, renders the dashboard without a script blocked by the CSP, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const blockedScripts: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text()) && /script/i.test(message.text())) blockedScripts.push(message.text());
    });

    await page.goto(`${base}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');

    await page.fill('#key', 'sk_' + 'z'.repeat(40));
    await page.click('form[action="/admin/sign-in"] button');
    await page.waitForSelector('text=That key is not valid');
    expect(await context.cookies()).toEqual([]);

    await page.fill('#key', environment.env.ADMIN_API_KEY);
    await Promise.all([page.waitForURL(`${base}/admin/queues`), page.click('form[action="/admin/sign-in"] button')]);
    // bull-board's React app lists the queue once its scripts ran and its API answered.
    await page.waitForSelector('text=webhook-deliveries', { timeout: 15_000 });
    expect(blockedScripts).toEqual([]);
    // An action as the dashboard sends it (same-origin fetch, cookie attached) passes the origin check.
    expect(await page.evaluate("fetch('/admin/queues/api/queues/webhook-deliveries/resume', { method: 'PUT' }).then((response) => response.status)")).toBe(200);

    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'strata_admin_session', path: '/admin', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie.value).not.toContain(environment.env.ADMIN_API_KEY);
    expect(page.url()).not.toContain(environment.env.ADMIN_API_KEY);

    await page.goto(`${base}/admin/sign-in`);
    await page.waitForSelector('text=You are signed in.');
    await Promise.all([page.waitForURL(`${base}/admin/sign-in?signed-out`), page.click('form[action="/admin/sign-out"] button')]);
    await page.waitForSelector('text=You are signed out.');
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${base}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await context.close();
  });
});
