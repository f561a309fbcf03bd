/**
 * One event on its way to subscribers, serialized once: the JSON the publisher wrote to Redis is
 * reused as it is, and each transport's frame is built on first use and then shared, byte for
 * byte, by every subscriber of that transport (whatever its filter: the frame does not depend on it).
 */
export class OutgoingEvent {
  private sseFrame?: Buffer;
  private textFrame?: Buffer;

  constructor(
    readonly id: string,
    readonly type: string,
    /** The event as JSON (the SSE `data:` line, the WebSocket text message). */
    readonly json: string,
  ) {}

  /** Parses what the relay published; undefined for anything that is not an event. */
  static fromJson(json: string): OutgoingEvent | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return undefined;
    }
    const { id, type } = (parsed ?? {}) as { id?: unknown; type?: unknown };
    return typeof id === 'string' && typeof type === 'string' ? new OutgoingEvent(id, type, json) : undefined;
  }

  get sse(): Buffer {
    return (this.sseFrame ??= Buffer.from(`id: ${this.id}\nevent: ${this.type}\ndata: ${this.json}\n\n`));
  }

  get text(): Buffer {
    return (this.textFrame ??= Buffer.from(this.json));
  }
}
