'use strict';

/**
 * The comparison variant of the auth benchmark: the same Strata build with its access checks
 * (API-key lookup, rate limiting, scope check, usage counting) switched off, both in the global
 * guard and in the early answer to item reads, so the difference to the normal build is what
 * auth + rate limiting cost per request.
 */
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist');
const { loadConfig } = require(join(dist, 'libs', 'core', 'src'));
const { AccessGuard } = require(join(dist, 'libs', 'api-keys', 'src', 'access.guard'));
const { AccessControl } = require(join(dist, 'libs', 'api-keys', 'src', 'access-control'));
const { createHttpApp } = require(join(dist, 'apps', 'api', 'create-http-app'));

AccessGuard.prototype.canActivate = async () => true;
AccessControl.prototype.admitFromMemory = async () => ({
  keyId: 'unchecked',
  scopes: ['admin'],
  tier: 'unlimited',
  expiresAt: null,
  remaining: null,
  validUntil: null,
});

async function main() {
  const config = loadConfig();
  const app = await createHttpApp(config);
  await app.listen(config.http.port, config.http.host);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
