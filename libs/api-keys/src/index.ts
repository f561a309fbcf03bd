export * from './api-keys.module';
export * from './api-keys.service';
export * from './api-key-secret';
export * from './api-key-principal';
export * from './principal.decorator';
export * from './usage-flusher';
export * from './openapi-security';
export * from './api-key.entity';
