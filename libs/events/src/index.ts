export * from './domain-event';
export * from './domain-events';
export * from './event-types';
export * from './events.module';
export * from './live-events.module';
export * from './outbox-backlog';
export * from './outbox-relay.module';
export * from './outbox-subscribers';
