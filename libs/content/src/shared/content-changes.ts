import { Injectable, Logger } from '@nestjs/common';
import { pipelinedTransaction } from '@strata/core';
import type { DataSource, EntityManager } from 'typeorm';

export type ContentKind = 'page' | 'module' | 'media';
export type ContentAction = 'created' | 'updated' | 'deleted';

/** One write to a content item, as other modules see it. */
export interface ContentChange {
  kind: ContentKind;
  action: ContentAction;
  id: string;
  /** The item's API representation after the change (for `deleted`: as it was before). */
  item: unknown;
  /**
   * For `updated`: the entity fields the write set (`updatedAt` always), so that the cache drops
   * only the lists whose filter, sort or search reads one of them. Absent: any field may have changed.
   */
  fields?: string[];
}

/** Runs inside the writing transaction (outbox rows, cascades); a throw rolls the write back. */
export type WriteListener = (manager: EntityManager, change: ContentChange) => Promise<void>;
/** Runs after the transaction committed, with every change it made, in order (listeners run side by side). */
export type CommitListener = (changes: ContentChange[]) => void | Promise<void>;

/**
 * How other modules learn of content writes without `content` knowing them: events write
 * their outbox rows in the same transaction (`onWrite`), relationships delete the links of a
 * deleted item there too, and the cache drops what changed once it is committed (`onCommit`).
 */
@Injectable()
export class ContentChanges {
  private readonly logger = new Logger(ContentChanges.name);
  private readonly writeListeners: WriteListener[] = [];
  private readonly commitListeners: CommitListener[] = [];
  private readonly pending = new WeakMap<EntityManager, ContentChange[]>();

  onWrite(listener: WriteListener): void {
    this.writeListeners.push(listener);
  }

  onCommit(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  /**
   * A transaction whose recorded changes reach the commit listeners once it has committed.
   * Pipelined: BEGIN leaves with the first statement, the outbox row with COMMIT.
   */
  async transaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const changes: ContentChange[] = [];
    const result = await pipelinedTransaction(dataSource, async (manager) => {
      this.pending.set(manager, changes);
      return work(manager);
    });
    // Side by side: the listeners are independent (the cache's entries, relationship reads), and
    // the response waits for all of them, so their Redis round trips overlap instead of adding up.
    await Promise.all(
      this.commitListeners.map(async (listener) => {
        try {
          await listener(changes);
        } catch (error) {
          // The write is committed; a listener failing afterwards must not turn it into an error.
          this.logger.error({ err: error }, 'A content commit listener failed');
        }
      }),
    );
    return result;
  }

  /** Called by the store for every write, inside its transaction. */
  async record(manager: EntityManager, change: ContentChange): Promise<void> {
    const changes = this.pending.get(manager);
    if (!changes) throw new Error('content writes must run inside ContentChanges.transaction()');
    changes.push(change);
    for (const listener of this.writeListeners) await listener(manager, change);
  }
}
