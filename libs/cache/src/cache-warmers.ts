import { Injectable } from '@nestjs/common';

/** Loads and caches the items of one type by id; answers how many it warmed. */
export type Warmer = (ids: string[]) => Promise<number>;

/**
 * What `POST /cache/warm` can preload: feature modules register a warmer per item type
 * (`page`, `module`, `media`, …), so the cache never needs to know their repositories.
 */
@Injectable()
export class CacheWarmers {
  private readonly warmers = new Map<string, Warmer>();

  register(type: string, warmer: Warmer): void {
    this.warmers.set(type, warmer);
  }

  get types(): string[] {
    return [...this.warmers.keys()];
  }

  get(type: string): Warmer | undefined {
    return this.warmers.get(type);
  }
}
