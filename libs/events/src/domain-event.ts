import { v7 as uuidv7 } from 'uuid';

/** A domain event as subscribers receive it (webhook body, SSE data): PRODUCT.md's payload shape. */
export interface DomainEvent {
  id: string;
  type: string;
  timestamp: string;
  data: unknown;
}

/** `evt_` + a UUIDv7 without dashes: unique, and ordered by creation like the outbox itself. */
export function newEventId(): string {
  return `evt_${uuidv7().replace(/-/g, '')}`;
}
