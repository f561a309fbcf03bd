import { Injectable } from '@nestjs/common';
import { ReadPopularity } from '@strata/cache';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MediaService } from '../media/media.service';
import { ModulesService } from '../modules/modules.service';
import { PagesService } from '../pages/pages.service';
import { withEtag } from './http';

/** The collections whose items are read at GET /api/v1/{collection}/{id}. */
export const ITEM_COLLECTIONS = ['pages', 'modules', 'media'] as const;
export type ItemCollection = (typeof ITEM_COLLECTIONS)[number];
/** The item type each collection holds, as the cache warmers name it. */
const ITEM_TYPES: Record<ItemCollection, string> = { pages: 'page', modules: 'module', media: 'media' };

/** Any UUID in its canonical form: what `@IdParam()` (ParseUUIDPipe) accepts. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isItemId(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_UUID.test(value);
}

/**
 * GET /{collection}/{id} as the API answers it (through the cache, with ETag, Cache-Control
 * and 304), in one place for everything that serves that route: the controllers, and the
 * app's early path for cached reads, which skips Nest's pipeline (apps/api/early-item-reads.ts).
 */
@Injectable()
export class ContentItemReads {
  private readonly readers: Record<ItemCollection, (id: string) => Promise<{ id: string; version: number }>>;

  constructor(
    pages: PagesService,
    modules: ModulesService,
    media: MediaService,
    private readonly popularity: ReadPopularity,
  ) {
    this.readers = { pages: (id) => pages.read(id), modules: (id) => modules.read(id), media: (id) => media.read(id) };
  }

  /**
   * The body to send (undefined for a 304); headers are set on `reply`. A missing item throws a
   * 404 problem. Each answer counts as a read for `POST /cache/warm { mostRead }`.
   */
  async answer(collection: ItemCollection, id: string, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const item = await this.readers[collection](id);
    this.popularity.record(ITEM_TYPES[collection], id);
    return withEtag(request, reply, item, item);
  }
}
