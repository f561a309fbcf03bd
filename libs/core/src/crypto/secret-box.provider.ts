import { Logger, Provider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { SecretBox } from './secret-box';

/**
 * The key comes from SECRETS_ENCRYPTION_KEY. Without it (a single-host or development setup)
 * one is generated once into `<DATA_DIR>/secrets.key` (mode 0600) and reused; every instance
 * of a scaled-out deployment must be given the same SECRETS_ENCRYPTION_KEY instead.
 */
export const secretBoxProvider: Provider = {
  provide: SecretBox,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => new SecretBox(config.secretsEncryptionKey ?? localKey(config.dataDir)),
};

function localKey(dataDir: string): Buffer {
  const path = join(dataDir, 'secrets.key');
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32);
    // `wx`: if another process created it first, fail and read theirs instead.
    try {
      writeFileSync(path, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch {
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    }
    new Logger('Secrets').warn(`SECRETS_ENCRYPTION_KEY is unset: generated ${path}. Give every instance the same key when scaling out.`);
    return key;
  }
}
