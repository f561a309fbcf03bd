export * from './cache.module';
export * from './cache.service';
export * from './cache-entry';
export * from './cache-keys';
export * from './cache-warmers';
export * from './read-popularity';
export * from './compressed-representations';
