import { Injectable } from '@nestjs/common';
import { CacheWarmers } from '@strata/cache';
import { MediaService } from '../media/media.service';
import { ModulesService } from '../modules/modules.service';
import { PagesService } from '../pages/pages.service';

/** Lets `POST /cache/warm` preload pages, modules and media: a cached read of each id. */
@Injectable()
export class ContentCacheWarmers {
  constructor(warmers: CacheWarmers, pages: PagesService, modules: ModulesService, media: MediaService) {
    const warmerOf = (read: (id: string) => Promise<unknown>) => async (ids: string[]) => {
      const outcomes = await Promise.allSettled(ids.map((id) => read(id)));
      return outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    };
    warmers.register(
      'page',
      warmerOf((id) => pages.read(id)),
    );
    warmers.register(
      'module',
      warmerOf((id) => modules.read(id)),
    );
    warmers.register(
      'media',
      warmerOf((id) => media.read(id)),
    );
  }
}
