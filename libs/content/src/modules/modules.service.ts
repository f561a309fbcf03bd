import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CacheService } from '@strata/cache';
import { ProblemException, ReadConnections } from '@strata/core';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { BatchOperationDto, BatchResultDto } from '../shared/batch.dto';
import { runBatch } from '../shared/batch-runner';
import { ContentChanges } from '../shared/content-changes';
import { contentItemKey, contentItemTag, contentListKey, contentListTags } from '../shared/content-cache';
import { keysetList, ListPage, SortableColumn } from '../shared/keyset-list';
import { ExpectedVersion, VersionedStore } from '../shared/versioned-store';
import { PageEntity } from '../pages/page.entity';
import { CreateModuleDto, ModuleDto, ModuleListDto, ModuleListQueryDto, UpdateModuleDto } from './module.dto';
import { ModuleEntity } from './module.entity';

const MODULE_SORTS: Record<string, SortableColumn<ModuleEntity>> = {
  createdAt: { column: 'created_at', cast: 'timestamptz', read: (module) => module.createdAt.toISOString() },
  updatedAt: { column: 'updated_at', cast: 'timestamptz', read: (module) => module.updatedAt.toISOString() },
  title: { column: 'title', cast: 'text', read: (module) => module.title },
  position: { column: 'position', cast: 'integer', read: (module) => module.position },
};

/** Modules (content blocks): the service other modules and the controller use. */
@Injectable()
export class ModulesService {
  private readonly store: VersionedStore<ModuleEntity>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    reads: ReadConnections,
    changes: ContentChanges,
    private readonly cache: CacheService,
  ) {
    this.store = new VersionedStore(dataSource, reads, ModuleEntity, changes, 'module', 'Module', ModuleDto.from);
  }

  get(id: string): Promise<ModuleEntity> {
    return this.store.get(id);
  }

  /** The API representation of a module, through the cache. */
  read(id: string): Promise<ModuleDto> {
    return this.cache.getOrLoad(contentItemKey('module', id), async () => ModuleDto.from(await this.store.load(id)), { tags: [contentItemTag('module', id)] });
  }

  /** A list or search of modules as the API answers it, through the cache. */
  readList(query: ModuleListQueryDto): Promise<ModuleListDto> {
    return this.cache.getOrLoad(
      contentListKey('module', query),
      async (load) => {
        const list = await this.list(query);
        load.addTags(...list.items.map((item) => contentItemTag('module', item.id)));
        return { data: list.items.map(ModuleDto.from), nextCursor: list.nextCursor };
      },
      {
        tags: contentListTags('module', {
          filters: { pageId: query.pageId, kind: query.kind, tags: query.tag },
          sort: query.sort,
          q: query.q,
          searchFields: ['title', 'content'],
          defaultSort: '-createdAt',
        }),
      },
    );
  }

  list(query: ModuleListQueryDto): Promise<ListPage<ModuleEntity>> {
    return this.store.readList('module', (builder) => {
      if (query.pageId) builder.andWhere('module.page_id = :pageId', { pageId: query.pageId });
      if (query.kind) builder.andWhere('module.kind = :kind', { kind: query.kind });
      // `@>` (not `= ANY`) so the GIN index on tags serves the filter.
      if (query.tag) builder.andWhere('module.tags @> ARRAY[:tag]::text[]', { tag: query.tag });
      return keysetList(builder, { sorts: MODULE_SORTS, fuzzyColumn: 'title', defaultSort: '-createdAt' }, query);
    });
  }

  create(dto: CreateModuleDto): Promise<ModuleEntity> {
    return this.store.transaction((manager) => this.createIn(manager, dto));
  }

  update(id: string, dto: UpdateModuleDto, expected?: ExpectedVersion): Promise<ModuleEntity> {
    return this.store.transaction((manager) => this.updateIn(manager, id, dto, expected));
  }

  async remove(id: string, expected?: ExpectedVersion): Promise<void> {
    await this.store.transaction((manager) => this.store.remove(manager, id, expected));
  }

  batch(operations: BatchOperationDto[]): Promise<BatchResultDto<ModuleDto>[]> {
    return runBatch(this.store, operations, {
      creation: { dto: CreateModuleDto, create: async (manager, data) => ModuleDto.from(await this.createIn(manager, data)) },
      updateDto: UpdateModuleDto,
      update: async (manager, id, data, expected) => ModuleDto.from(await this.updateIn(manager, id, data, expected)),
      remove: (manager, id, expected) => this.store.remove(manager, id, expected),
    });
  }

  /**
   * Called in the transaction that deletes a page: its blocks stay, detached. Done here rather
   * than left to the foreign key's ON DELETE SET NULL so that each block's version (its ETag)
   * moves and its change is recorded like any other update.
   */
  async detachFromPage(manager: EntityManager, pageId: string): Promise<void> {
    const attached = await manager.find(ModuleEntity, { where: { pageId }, select: { id: true } });
    for (const { id } of attached) await this.store.update(manager, id, { pageId: null });
  }

  private async createIn(manager: EntityManager, dto: CreateModuleDto): Promise<ModuleEntity> {
    await this.requirePage(manager, dto.pageId);
    return this.guardPageReference(dto.pageId, () =>
      this.store.insert(manager, {
        pageId: dto.pageId ?? null,
        kind: dto.kind,
        title: dto.title,
        content: dto.content ?? {},
        position: dto.position ?? 0,
        tags: dto.tags ?? [],
        metadata: dto.metadata ?? {},
      }),
    );
  }

  private async updateIn(manager: EntityManager, id: string, dto: UpdateModuleDto, expected?: ExpectedVersion): Promise<ModuleEntity> {
    await this.requirePage(manager, dto.pageId);
    return this.guardPageReference(dto.pageId, () => this.store.update(manager, id, dto, expected));
  }

  /**
   * A clear 422 before writing. Deliberately no row lock: deleting a page locks its blocks and
   * then the page, so share-locking the page before our block would deadlock with it. A page
   * deleted after this check is caught by the foreign key instead (see guardPageReference).
   */
  private async requirePage(manager: EntityManager, pageId: string | null | undefined): Promise<void> {
    if (pageId && !(await manager.existsBy(PageEntity, { id: pageId }))) throw missingPage(pageId);
  }

  private async guardPageReference<T>(pageId: string | null | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const code = error instanceof QueryFailedError ? (error as QueryFailedError & { code?: string }).code : undefined;
      if (code === '23503' && pageId) throw missingPage(pageId);
      throw error;
    }
  }
}

function missingPage(pageId: string): ProblemException {
  return ProblemException.unprocessable(`Page ${pageId} does not exist.`, { pageId: ['no page has this id'] });
}
