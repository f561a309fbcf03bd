export * from './rate-limit.module';
export * from './tier-rate-limit.guard';
export * from './rate-limit-subject';
export * from './rate-limit-cost.decorator';
export * from './route-rate-limit.decorator';
export * from './rate-limit-headers';
export * from './rate-limit-result';
