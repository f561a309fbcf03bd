import { Injectable } from '@nestjs/common';
import { preparedStatement, sendWithNext } from '@strata/core';
import type { EntityManager } from 'typeorm';
import { DomainEvent, newEventId } from './domain-event';

/** The PostgreSQL NOTIFY channel that wakes the outbox relay. */
export const OUTBOX_CHANNEL = 'strata_outbox';

/** The outbox row and the relay's wake-up, in one statement (prepared: every write sends it). */
const RECORD_SQL = preparedStatement(
  `WITH inserted AS (INSERT INTO outbox_events (id, type, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING 1)
   SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM inserted`,
);

/**
 * Records domain events in the transactional outbox. Callers pass the EntityManager of the
 * transaction that makes the change, so the event exists if and only if the change commits;
 * the outbox relay publishes it afterwards.
 */
@Injectable()
export class DomainEvents {
  async record(manager: EntityManager, type: string, data: unknown): Promise<void> {
    const event: DomainEvent = { id: newEventId(), type, timestamp: new Date().toISOString(), data };
    // NOTIFY is transactional: the relay is woken when (and only if) the change commits. In the
    // same statement as the insert, and sent with the transaction's next statement (its COMMIT,
    // for a content write): nothing here waits for the reply, and a failure fails the transaction.
    await sendWithNext(manager, RECORD_SQL, [event.id, event.type, JSON.stringify(event), event.timestamp]);
  }
}
