export * from './webhooks.module';
export * from './webhooks-worker.module';
export * from './event-types/event-types.openapi';
