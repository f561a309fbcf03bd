import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@strata/core';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';

/** Any constant unique to this lock: instances booting together take turns. */
const BOOTSTRAP_LOCK_ID = 5_720_431;

/**
 * First boot with no ADMIN_API_KEY and no keys at all: issue an admin key (stored hashed like
 * any other) so a newcomer can call the API. The key itself is never logged: start.ts takes it
 * (`takeGeneratedKey`) and shows it once in the start-up banner, which is printed whatever
 * LOG_LEVEL is. Later boots find a key and stay quiet.
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');
  private generatedKey?: string;

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
      const issued = await this.keys.issue({ name: 'Bootstrap admin key', scopes: ['admin'], tier: 'unlimited', expiresAt: null, remaining: null }, manager);
      return issued.key;
    });
    if (key) {
      this.generatedKey = key;
      this.logger.warn('No ADMIN_API_KEY is set and no API key existed, so an admin key was created; it is shown once, in the start-up banner.');
    }
  }

  /** The key generated at this boot, if any; handed out once and then forgotten. */
  takeGeneratedKey(): string | undefined {
    const key = this.generatedKey;
    this.generatedKey = undefined;
    return key;
  }
}
