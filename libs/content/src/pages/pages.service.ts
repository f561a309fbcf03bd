import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CacheService } from '@strata/cache';
import { ProblemException, ReadConnections } from '@strata/core';
import { DataSource, EntityManager } from 'typeorm';
import { BatchOperationDto, BatchResultDto } from '../shared/batch.dto';
import { runBatch } from '../shared/batch-runner';
import { ContentChanges } from '../shared/content-changes';
import { contentItemKey, contentItemTag, contentListKey, contentListTags } from '../shared/content-cache';
import { keysetList, ListPage, SortableColumn } from '../shared/keyset-list';
import { ExpectedVersion, isUniqueViolation, VersionedStore } from '../shared/versioned-store';
import { ModulesService } from '../modules/modules.service';
import { CreatePageDto, PageDto, PageListDto, PageListQueryDto, UpdatePageDto } from './page.dto';
import { PageEntity } from './page.entity';

const PAGE_SORTS: Record<string, SortableColumn<PageEntity>> = {
  createdAt: { column: 'created_at', cast: 'timestamptz', read: (page) => page.createdAt.toISOString() },
  updatedAt: { column: 'updated_at', cast: 'timestamptz', read: (page) => page.updatedAt.toISOString() },
  title: { column: 'title', cast: 'text', read: (page) => page.title },
};

/** Pages: the content service other modules and the controller use. */
@Injectable()
export class PagesService {
  private readonly store: VersionedStore<PageEntity>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    reads: ReadConnections,
    changes: ContentChanges,
    private readonly modules: ModulesService,
    private readonly cache: CacheService,
  ) {
    this.store = new VersionedStore(dataSource, reads, PageEntity, changes, 'page', 'Page', PageDto.from);
  }

  get(id: string): Promise<PageEntity> {
    return this.store.get(id);
  }

  /** The API representation of a page, through the cache. */
  read(id: string): Promise<PageDto> {
    return this.cache.getOrLoad(contentItemKey('page', id), async () => PageDto.from(await this.store.load(id)), { tags: [contentItemTag('page', id)] });
  }

  /** A list or search of pages as the API answers it, through the cache. */
  readList(query: PageListQueryDto): Promise<PageListDto> {
    return this.cache.getOrLoad(
      contentListKey('page', query),
      async (load) => {
        const page = await this.list(query);
        load.addTags(...page.items.map((item) => contentItemTag('page', item.id)));
        return { data: page.items.map(PageDto.from), nextCursor: page.nextCursor };
      },
      {
        tags: contentListTags('page', {
          filters: { status: query.status, slug: query.slug, tags: query.tag },
          sort: query.sort,
          q: query.q,
          searchFields: ['title', 'body'],
          defaultSort: '-createdAt',
        }),
      },
    );
  }

  list(query: PageListQueryDto): Promise<ListPage<PageEntity>> {
    return this.store.readList('page', (builder) => {
      if (query.status) builder.andWhere('page.status = :status', { status: query.status });
      if (query.slug) builder.andWhere('page.slug = :slug', { slug: query.slug });
      // `@>` (not `= ANY`) so the GIN index on tags serves the filter.
      if (query.tag) builder.andWhere('page.tags @> ARRAY[:tag]::text[]', { tag: query.tag });
      return keysetList(builder, { sorts: PAGE_SORTS, fuzzyColumn: 'title', defaultSort: '-createdAt' }, query);
    });
  }

  create(dto: CreatePageDto): Promise<PageEntity> {
    return this.store.transaction((manager) => this.createIn(manager, dto));
  }

  update(id: string, dto: UpdatePageDto, expected?: ExpectedVersion): Promise<PageEntity> {
    return this.store.transaction((manager) => this.updateIn(manager, id, dto, expected));
  }

  async remove(id: string, expected?: ExpectedVersion): Promise<void> {
    await this.store.transaction((manager) => this.removeIn(manager, id, expected));
  }

  batch(operations: BatchOperationDto[]): Promise<BatchResultDto<PageDto>[]> {
    return runBatch(this.store, operations, {
      creation: { dto: CreatePageDto, create: async (manager, data) => PageDto.from(await this.createIn(manager, data)) },
      updateDto: UpdatePageDto,
      update: async (manager, id, data, expected) => PageDto.from(await this.updateIn(manager, id, data, expected)),
      remove: (manager, id, expected) => this.removeIn(manager, id, expected),
    });
  }

  private async createIn(manager: EntityManager, dto: CreatePageDto): Promise<PageEntity> {
    return this.guardSlug(dto.slug, () =>
      this.store.insert(manager, {
        slug: dto.slug,
        title: dto.title,
        body: dto.body ?? '',
        status: dto.status ?? 'draft',
        tags: dto.tags ?? [],
        metadata: dto.metadata ?? {},
      }),
    );
  }

  private updateIn(manager: EntityManager, id: string, dto: UpdatePageDto, expected?: ExpectedVersion): Promise<PageEntity> {
    return this.guardSlug(dto.slug, () => this.store.update(manager, id, dto, expected));
  }

  private async removeIn(manager: EntityManager, id: string, expected?: ExpectedVersion): Promise<PageEntity> {
    // Detach first: once the page row is gone the foreign key would already have nulled page_id.
    // A failed If-Match below rolls the detaching back with the rest of the transaction.
    await this.modules.detachFromPage(manager, id);
    return this.store.remove(manager, id, expected);
  }

  private async guardSlug<T>(slug: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error, 'pages_slug_unique')) throw ProblemException.conflict(`A page with slug "${slug}" already exists.`);
      throw error;
    }
  }
}
