import { Injectable, OnModuleInit } from '@nestjs/common';
import { ContentChange, ContentChanges } from '@strata/content';
import { DomainEvents } from './domain-events';

/** Media are "uploaded" rather than "created": the public event names say what users did. */
export function contentEventType(change: Pick<ContentChange, 'kind' | 'action'>): string {
  const action = change.kind === 'media' && change.action === 'created' ? 'uploaded' : change.action;
  return `${change.kind}.${action}`;
}

/** Turns every content write into a domain event, in the writing transaction. */
@Injectable()
export class ContentEvents implements OnModuleInit {
  constructor(
    private readonly changes: ContentChanges,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.changes.onWrite((manager, change) => this.events.record(manager, contentEventType(change), change.item));
  }
}
