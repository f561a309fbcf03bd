import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MediaController } from './media/media.controller';
import { MediaEntity } from './media/media.entity';
import { MediaService } from './media/media.service';
import { MediaUploadReader } from './media/media-upload.reader';
import { mediaStorageProvider } from './media/storage/media-storage.provider';
import { ModuleEntity } from './modules/module.entity';
import { ModulesController } from './modules/modules.controller';
import { ModulesService } from './modules/modules.service';
import { PageEntity } from './pages/page.entity';
import { PagesController } from './pages/pages.controller';
import { PagesService } from './pages/pages.service';
import { ContentChanges } from './shared/content-changes';
import { ContentCacheInvalidation } from './shared/content-cache';
import { ContentCacheWarmers } from './shared/content-cache-warmers';
import { ContentLookup } from './shared/content-lookup';
import { ContentItemReads } from './shared/item-reads';

/** Pages, modules and media: their tables, services and REST controllers. */
@Module({
  imports: [TypeOrmModule.forFeature([PageEntity, ModuleEntity, MediaEntity])],
  controllers: [PagesController, ModulesController, MediaController],
  providers: [
    ContentChanges,
    ContentLookup,
    ContentCacheInvalidation,
    ContentCacheWarmers,
    ContentItemReads,
    PagesService,
    ModulesService,
    MediaService,
    MediaUploadReader,
    mediaStorageProvider,
  ],
  exports: [ContentChanges, ContentCacheInvalidation, ContentLookup, ContentItemReads, PagesService, ModulesService, MediaService],
})
export class ContentModule {}
