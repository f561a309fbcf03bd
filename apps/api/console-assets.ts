import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The console's own policy, stricter than the API's (no inline styles, no images from other
 * origins): its scripts and styles are same-origin files, it talks only to this origin, and
 * previews of uploaded media are object URLs (blob:) made from files fetched with the key.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "frame-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Hashed asset names change with their content, so a browser may keep them for a year without asking again. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always revalidated (its ETag makes that a 304). */
const REVALIDATE = 'no-cache';

/**
 * Where `npm run build` writes the console (apps/console/build.js): dist/console in the
 * repository, looked for upwards from this file, which runs from apps/api (sources) or
 * dist/apps/api (a build). Undefined when the console has not been built.
 */
export function consoleDirectory(from = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const built = join(dir, 'dist', 'console');
    if (existsSync(join(built, 'index.html'))) return built;
  }
  return undefined;
}

/**
 * Serves the built console at /console/ (GET /console redirects there), when it has been built;
 * without a build nothing is registered and the banner does not list it. Files are sent
 * precompressed (.br/.gz written by the build) when the client accepts it.
 */
export async function serveConsole(app: NestFastifyApplication, directory = consoleDirectory()): Promise<boolean> {
  if (!directory) return false;
  await app.register(fastifyStatic, {
    root: directory,
    prefix: '/console',
    redirect: true,
    preCompressed: true,
    cacheControl: false,
    // Set after the file's own headers, and after the API's security headers (an onRequest hook),
    // so this policy replaces the API's one for the console's files.
    setHeaders: (reply: FastifyReply, path: string) => {
      reply.header('cache-control', path.includes(`${sep}assets${sep}`) ? IMMUTABLE : REVALIDATE);
      reply.header('content-security-policy', CONSOLE_CSP);
    },
  });
  return true;
}
