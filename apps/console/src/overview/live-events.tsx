import { useEffect, useState } from 'preact/hooks';
import { followEvents, StreamedEvent } from '../api/sse';
import { useSession } from '../session/session';

const KEPT = 50;

interface ShownEvent {
  id: string;
  type: string;
  at: string;
  summary: string;
}

function shown(event: StreamedEvent): ShownEvent | null {
  try {
    const parsed = JSON.parse(event.data) as { id?: string; type?: string; timestamp?: string; data?: Record<string, unknown> };
    if (!parsed.type) return null;
    const data = parsed.data ?? {};
    const summary = ['title', 'slug', 'filename', 'url', 'name', 'id'].map((field) => data[field]).find((value) => typeof value === 'string');
    return {
      id: parsed.id ?? event.id ?? '',
      type: parsed.type,
      at: parsed.timestamp ?? new Date().toISOString(),
      summary: summary ?? '',
    };
  } catch {
    return null;
  }
}

/** Domain events as they happen, newest first, from the live stream (/api/v1/events). */
export function LiveEvents() {
  const { api } = useSession();
  const [events, setEvents] = useState<ShownEvent[]>([]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const stop = new AbortController();
    void followEvents(
      api,
      (event) => {
        const item = shown(event);
        if (item) setEvents((list) => [item, ...list].slice(0, KEPT));
      },
      stop.signal,
      setConnected,
    );
    return () => stop.abort();
  }, [api]);
  return (
    <section class="live-events">
      <h2>
        Live events{' '}
        <span
          class={`dot ${connected ? 'on' : 'off'}`}
          aria-label={connected ? 'connected' : 'reconnecting'}
          title={connected ? 'connected' : 'reconnecting'}
        />
      </h2>
      {events.length === 0 ? <p class="muted">Waiting for events… (create or edit some content)</p> : null}
      <ol class="events" aria-live="polite">
        {events.map((event) => (
          <li key={event.id}>
            <time>{new Date(event.at).toLocaleTimeString()}</time> <code>{event.type}</code> <span>{event.summary}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
