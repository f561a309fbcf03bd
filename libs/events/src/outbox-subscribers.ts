import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from './domain-event';

/** Runs inside the relay's transaction: what it writes commits together with "relayed". */
export type RelayListener = (manager: EntityManager, events: DomainEvent[]) => Promise<void>;
/** Runs after each relay pass committed (and on every poll), e.g. to queue what the pass wrote. */
export type RelayedListener = () => Promise<void>;

/**
 * How other modules take part in relaying without `events` knowing them: webhooks turns events
 * into delivery rows in the relay's transaction, then queues those rows once it committed.
 */
@Injectable()
export class OutboxSubscribers {
  readonly inTransaction: RelayListener[] = [];
  readonly afterCommit: RelayedListener[] = [];

  onRelay(listener: RelayListener): void {
    this.inTransaction.push(listener);
  }

  onRelayed(listener: RelayedListener): void {
    this.afterCommit.push(listener);
  }
}
