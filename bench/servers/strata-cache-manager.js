'use strict';

/**
 * The comparison variant of the cache benchmark: the same Strata build and route, with
 * responses cached by @nestjs/cache-manager (CacheInterceptor, cache-manager + Keyv on Redis)
 * in front of every GET, the way a Nest app usually adds caching. A hit never reaches Strata's
 * own cache; it costs the interceptor plus one Redis GET. Strata's early answer to item reads
 * (a Fastify hook ahead of Nest, apps/api/early-item-reads.ts) is switched off, or it would
 * answer before the interceptor ever ran.
 */
const { join } = require('node:path');
const { CacheInterceptor } = require('@nestjs/cache-manager');
const { HttpAdapterHost, Reflector } = require('@nestjs/core');
const KeyvRedis = require('@keyv/redis').default;
const { createCache } = require('cache-manager');
const { Keyv } = require('keyv');

const dist = join(__dirname, '..', '..', 'dist');
const { loadConfig } = require(join(dist, 'libs', 'core', 'src'));
const earlyItemReads = require(join(dist, 'apps', 'api', 'early-item-reads'));
const { createHttpApp } = require(join(dist, 'apps', 'api', 'create-http-app'));

earlyItemReads.answerItemReadsEarly = () => {};

async function main() {
  const config = loadConfig();
  const app = await createHttpApp(config);
  const store = new Keyv({ store: new KeyvRedis(config.redis.url), namespace: `${config.redis.keyPrefix}cache-manager` });
  const cache = createCache({ stores: [store], ttl: 60_000 });
  const interceptor = new CacheInterceptor(cache, app.get(Reflector));
  interceptor.httpAdapterHost = app.get(HttpAdapterHost);
  app.useGlobalInterceptors(interceptor);
  await app.listen(config.http.port, config.http.host);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
