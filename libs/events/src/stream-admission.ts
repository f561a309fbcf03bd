import { Injectable } from '@nestjs/common';
import { AppConfig, ProblemException } from '@strata/core';
import { EventFanOut } from './event-fanout';
import type { LiveSubscriber, SubscriberLimits } from './live-subscriber';
import { StreamConnections } from './stream-connections';

/** Who is subscribing: the API key and its tier. */
export interface StreamOwner {
  keyId: string;
  tier: string;
}

/** Seconds a client refused for a full instance should wait (another instance may take it sooner). */
const INSTANCE_FULL_RETRY_S = 5;

/**
 * Whether a new live-event subscriber may connect, for SSE and WebSocket alike: this instance
 * under EVENTS_MAX_SUBSCRIBERS (else 503: the instance degrades by refusing, not by stalling),
 * and the key under its tier's stream limit across instances (else 429). Throws the problem.
 */
@Injectable()
export class StreamAdmission {
  readonly limits: SubscriberLimits;

  constructor(
    private readonly fanOut: EventFanOut,
    private readonly connections: StreamConnections,
    config: AppConfig,
  ) {
    this.limits = { maxBytes: config.events.subscriberBufferBytes, maxEvents: config.events.subscriberBufferEvents };
  }

  /** Takes a connection slot for the owner; the returned function gives it back. */
  async admit(owner: StreamOwner): Promise<() => void> {
    this.checkCapacity();
    const slot = await this.connections.acquire(owner.keyId, owner.tier);
    if (!slot.granted) {
      throw new ProblemException({
        status: 429,
        type: 'quota-exceeded',
        detail: `This API key already has ${slot.open} live-event streams open, the most its tier allows (${slot.limit}); close one, or retry after ${slot.retryAfterS} s.`,
        extensions: { policy: 'streams', limit: slot.limit, retryAfter: slot.retryAfterS },
        headers: { 'Retry-After': String(slot.retryAfterS) },
      });
    }
    return slot.release;
  }

  /**
   * Registers an admitted subscriber (before it has written anything), releasing its slot when it
   * leaves; throws the 503 if the instance filled up while the slot was being taken.
   */
  register(subscriber: LiveSubscriber, release: () => void): void {
    if (!this.fanOut.add(subscriber)) {
      release();
      throw this.instanceFull();
    }
    subscriber.onClose(release);
  }

  private checkCapacity(): void {
    if (this.fanOut.size >= this.fanOut.capacity) throw this.instanceFull();
  }

  private instanceFull(): ProblemException {
    return new ProblemException({
      status: 503,
      detail: `This instance already serves ${this.fanOut.capacity} live-event subscribers, its limit (EVENTS_MAX_SUBSCRIBERS); retry after ${INSTANCE_FULL_RETRY_S} s.`,
      headers: { 'Retry-After': String(INSTANCE_FULL_RETRY_S) },
    });
  }
}
