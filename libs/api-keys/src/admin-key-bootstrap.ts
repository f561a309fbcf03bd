import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@strata/core';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';

/** Any constant unique to this lock: instances booting together take turns. */
const BOOTSTRAP_LOCK_ID = 5_720_431;

/**
 * First boot with no ADMIN_API_KEY and no keys at all: issue an admin key (stored hashed like
 * any other) and print it once, so a newcomer can call the API. Later boots find a key and stay quiet.
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly keys: ApiKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.apiKeys.adminKey || this.config.role === 'worker') return;
    const key = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_ID]);
      if ((await manager.count(ApiKeyEntity)) > 0) return undefined;
      const issued = await this.keys.issue(
        { name: 'Bootstrap admin key', scopes: ['admin'], tier: 'unlimited', expiresAt: null, remaining: null },
        manager,
      );
      return issued.key;
    });
    if (key) {
      this.logger.warn(`No ADMIN_API_KEY is set and no API key exists, so an admin key was created. It is shown only this once; store it now:\n\n    ${key}\n`);
    }
  }
}
