import type { Provider } from '@nestjs/common';
import { AppConfig } from '@strata/core';
import { LocalDiskStorage } from './local-disk.storage';
import { MediaStorage } from './media-storage';
import { S3Storage } from './s3.storage';

/** The one place the driver is chosen: MEDIA_STORAGE (local disk unless it says s3). */
export const mediaStorageProvider: Provider = {
  provide: MediaStorage,
  inject: [AppConfig],
  useFactory: (config: AppConfig): MediaStorage => (config.media.driver === 's3' ? new S3Storage(config) : new LocalDiskStorage(config)),
};
