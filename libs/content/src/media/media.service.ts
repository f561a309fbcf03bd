import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CacheService } from '@strata/cache';
import { ReadConnections } from '@strata/core';
import { DataSource } from 'typeorm';
import { BatchOperationDto, BatchResultDto } from '../shared/batch.dto';
import { runBatch } from '../shared/batch-runner';
import { ContentChanges } from '../shared/content-changes';
import { contentItemKey, contentItemTag, contentListKey, contentListTags } from '../shared/content-cache';
import { keysetList, ListPage, SortableColumn } from '../shared/keyset-list';
import { ExpectedVersion, VersionedStore } from '../shared/versioned-store';
import type { MediaUpload } from './media-upload.reader';
import { MediaDto, MediaListDto, MediaListQueryDto, UpdateMediaDto } from './media.dto';
import { MediaEntity } from './media.entity';
import { inlineContentDisposition } from './content-disposition';
import { DirectDownload, MediaStorage } from './storage/media-storage';
import type { ByteRange } from './byte-range';

const MEDIA_SORTS: Record<string, SortableColumn<MediaEntity>> = {
  createdAt: { column: 'created_at', cast: 'timestamptz', read: (media) => media.createdAt.toISOString() },
  updatedAt: { column: 'updated_at', cast: 'timestamptz', read: (media) => media.updatedAt.toISOString() },
  filename: { column: 'filename', cast: 'text', read: (media) => media.filename },
  sizeBytes: { column: 'size_bytes', cast: 'bigint', read: (media) => media.sizeBytes },
};

/**
 * Media: rows in `media` and their files in MediaStorage. A file is written before its row
 * and removed after its row is gone, so a row never points at a missing file; a crash in
 * between can only leave an unreferenced file behind.
 */
@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);
  private readonly store: VersionedStore<MediaEntity>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    reads: ReadConnections,
    changes: ContentChanges,
    private readonly storage: MediaStorage,
    private readonly cache: CacheService,
  ) {
    this.store = new VersionedStore(dataSource, reads, MediaEntity, changes, 'media', 'Media item', MediaDto.from);
  }

  get(id: string): Promise<MediaEntity> {
    return this.store.get(id);
  }

  /** The API representation of a media item, through the cache. */
  read(id: string): Promise<MediaDto> {
    return this.cache.getOrLoad(contentItemKey('media', id), async () => MediaDto.from(await this.store.load(id)), { tags: [contentItemTag('media', id)] });
  }

  /** A list or search of media as the API answers it, through the cache. */
  readList(query: MediaListQueryDto): Promise<MediaListDto> {
    return this.cache.getOrLoad(
      contentListKey('media', query),
      async (load) => {
        const page = await this.list(query);
        load.addTags(...page.items.map((item) => contentItemTag('media', item.id)));
        return { data: page.items.map(MediaDto.from), nextCursor: page.nextCursor };
      },
      {
        tags: contentListTags('media', {
          filters: { mimeType: query.mimeType, tags: query.tag },
          sort: query.sort,
          q: query.q,
          searchFields: ['filename', 'altText'],
          defaultSort: '-createdAt',
        }),
      },
    );
  }

  list(query: MediaListQueryDto): Promise<ListPage<MediaEntity>> {
    return this.store.readList('media', (builder) => {
      if (query.mimeType?.endsWith('/*')) {
        builder.andWhere('starts_with(media.mime_type, :mimeTypePrefix)', { mimeTypePrefix: query.mimeType.slice(0, -1) });
      } else if (query.mimeType) {
        builder.andWhere('media.mime_type = :mimeType', { mimeType: query.mimeType });
      }
      // `@>` (not `= ANY`) so the GIN index on tags serves the filter.
      if (query.tag) builder.andWhere('media.tags @> ARRAY[:tag]::text[]', { tag: query.tag });
      return keysetList(builder, { sorts: MEDIA_SORTS, fuzzyColumn: 'filename', defaultSort: '-createdAt' }, query);
    });
  }

  /** Records an upload whose file is already stored; if the row cannot be written, the file goes. */
  async create(upload: MediaUpload): Promise<MediaEntity> {
    try {
      return await this.store.transaction((manager) =>
        this.store.insert(manager, {
          filename: upload.filename,
          mimeType: upload.mimeType,
          sizeBytes: upload.sizeBytes,
          altText: upload.fields.altText ?? '',
          checksum: upload.checksum,
          storageKey: upload.storageKey,
          tags: upload.fields.tags ?? [],
          metadata: upload.fields.metadata ?? {},
        }),
      );
    } catch (error) {
      await this.removeFiles([upload.storageKey]);
      throw error;
    }
  }

  openFile(media: MediaEntity, range?: ByteRange): Promise<Readable> {
    return this.storage.read(media.storageKey, range);
  }

  /** Where clients fetch the file directly (MEDIA_PUBLIC_URL, presigned), or undefined to stream it. */
  directDownload(media: MediaEntity): Promise<DirectDownload | undefined> {
    return this.storage.downloadUrl(media.storageKey, { mimeType: media.mimeType, contentDisposition: inlineContentDisposition(media.filename) });
  }

  update(id: string, dto: UpdateMediaDto, expected?: ExpectedVersion): Promise<MediaEntity> {
    return this.store.transaction((manager) => this.store.update(manager, id, dto, expected));
  }

  async remove(id: string, expected?: ExpectedVersion): Promise<void> {
    const removed = await this.store.transaction((manager) => this.store.remove(manager, id, expected));
    await this.removeFiles([removed.storageKey]);
  }

  async batch(operations: BatchOperationDto[]): Promise<BatchResultDto<MediaDto>[]> {
    const removedKeys: string[] = [];
    const results = await runBatch(this.store, operations, {
      creation: {
        unsupported: 'a media item is created by uploading its file (multipart POST /api/v1/media); a batch can only update and delete media.',
      },
      updateDto: UpdateMediaDto,
      update: async (manager, id, data, expected) => MediaDto.from(await this.store.update(manager, id, data, expected)),
      remove: async (manager, id, expected) => {
        const removed = await this.store.remove(manager, id, expected);
        removedKeys.push(removed.storageKey);
      },
    });
    // Only now: had the transaction rolled back, these files would still be referenced.
    await this.removeFiles(removedKeys);
    return results;
  }

  /**
   * The rows are already gone (or were never written), so a file that cannot be removed is
   * only wasted space: logged, not failed.
   */
  private async removeFiles(keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.storage.delete(key);
      } catch (error) {
        this.logger.warn({ err: error, storageKey: key }, 'Could not remove a media file; it is no longer referenced');
      }
    }
  }
}
