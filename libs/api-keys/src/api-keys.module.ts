import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitModule } from '@strata/rate-limit';
import { AccessControl } from './access-control';
import { AccessGuard } from './access.guard';
import { AdminKeyBootstrap } from './admin-key-bootstrap';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { KeyLookupCache } from './key-lookup-cache';
import { KeyUsageReport } from './key-usage-report';
import { UsageCounter } from './usage-counter';
import { UsageFlusher } from './usage-flusher';
import { UsageOutcomes } from './usage-outcomes';
import { RouteUsage } from './route-usage';
import { IdentitiesController } from './identities.controller';

/** Usage totals reach the database from every role (see UsageFlusher for who drains Redis). */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity])],
  providers: [UsageCounter, UsageOutcomes, RouteUsage, UsageFlusher],
  exports: [UsageCounter, UsageOutcomes, RouteUsage, UsageFlusher],
})
export class ApiKeyUsageModule {}

/** Keys, their routes, and the global guard that authenticates, rate-limits and checks scopes. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), RateLimitModule, ApiKeyUsageModule],
  controllers: [ApiKeysController, IdentitiesController],
  providers: [
    KeyLookupCache,
    ApiKeyAuthenticator,
    AccessControl,
    ApiKeysService,
    KeyUsageReport,
    AdminKeyBootstrap,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [ApiKeysService, AccessControl],
})
export class ApiKeysModule {}
