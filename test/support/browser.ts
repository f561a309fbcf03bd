import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { Browser, chromium } from 'playwright-core';

/**
 * The Chromium the browser tests drive: Debian's package (`apt-get install chromium`, which
 * .ci/run does), never a browser download. CHROMIUM_PATH points elsewhere (another distribution,
 * a Chrome build).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH to another Chromium or Chrome`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox will not start. --no-proxy-server:
    // the page is on this machine; a proxy from the environment must not be asked for it.
    args: ['--no-sandbox', '--no-proxy-server'],
  });
}

/**
 * An IPv4 address of this machine that is not loopback. Browsers treat localhost as a secure
 * context (no https upgrade, no HSTS), so only a page opened by another address shows what a
 * user on a VM or a LAN sees.
 */
export function nonLoopbackAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (found) return found.address;
  }
  throw new Error('This machine has no non-loopback IPv4 address to open the page by (see os.networkInterfaces())');
}
