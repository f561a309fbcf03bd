import { createStrataClient, type StrataEvent } from '@strata/client';
import { useEffect, useState } from 'preact/hooks';
import { ProblemView } from '../components/problem-view';
import { useSession } from '../session/session';

const KEPT = 50;

interface ShownEvent {
  id: string;
  type: string;
  at: string;
  summary: string;
}

function shown(event: StrataEvent): ShownEvent {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const summary = ['title', 'slug', 'filename', 'url', 'name', 'id'].map((field) => data[field]).find((value) => typeof value === 'string');
  return { id: event.id, type: event.type, at: event.timestamp, summary: summary ?? '' };
}

/** Domain events as they happen, newest first, from the live stream (/api/v1/events). */
export function LiveEvents() {
  const { api } = useSession();
  const [events, setEvents] = useState<ShownEvent[]>([]);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const stop = new AbortController();
    // The typed client's stream (fetch, so the key goes in a header; Last-Event-ID resume after a
    // drop). Its fetch is watched to show whether the stream is open: each (re)connection calls it.
    const client = createStrataClient({
      baseUrl: '',
      apiKey: api.key,
      fetch: async (request) => {
        setConnected(false);
        const response = await fetch(request);
        setConnected(response.ok);
        return response;
      },
    });
    const follow = async () => {
      for await (const event of client.events({ signal: stop.signal })) {
        setEvents((list) => [shown(event), ...list].slice(0, KEPT));
      }
    };
    follow().catch((failure: unknown) => {
      if (!stop.signal.aborted) {
        setConnected(false);
        setError(failure);
      }
    });
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
      <ProblemView error={error} />
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
