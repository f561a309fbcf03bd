'use strict';

const { randomBytes } = require('node:crypto');

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** An admin key for the Strata a scenario starts (passed as ADMIN_API_KEY). */
const ADMIN_KEY = 'sk_' + Array.from(randomBytes(40), (byte) => BASE62[byte % 62]).join('');
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

/** A JSON call with the admin key; anything but 2xx throws with the answer. */
async function call(url, method, body) {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Waits until `check` (sync or async) holds, polling; throws naming `what` after `timeoutMs`. */
async function until(check, what, timeoutMs, intervalMs = 5) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

module.exports = { ADMIN_KEY, call, until, percentile };
