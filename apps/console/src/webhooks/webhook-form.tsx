import { useState } from 'preact/hooks';
import type { WebhookDto } from '../api/types';
import { splitList } from '../components/format';

export interface WebhookFields {
  url: string;
  events: string[];
  description: string;
  active: boolean;
}

/** The endpoint's address, the events it subscribes to (patterns like page.* or *) and whether it is on. */
export function WebhookForm({
  initial,
  submitLabel,
  busy,
  onSubmit,
}: {
  initial?: WebhookDto;
  submitLabel: string;
  busy: boolean;
  onSubmit: (fields: WebhookFields) => void;
}) {
  const [url, setUrl] = useState(initial?.url ?? '');
  const [events, setEvents] = useState(initial?.events.join(', ') ?? '*');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [active, setActive] = useState(initial?.active ?? true);
  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit({ url, events: splitList(events), description, active });
      }}
    >
      <label>
        URL{' '}
        <input
          name="url"
          type="url"
          required
          placeholder="https://example.com/hooks/strata"
          value={url}
          onInput={(event) => setUrl(event.currentTarget.value)}
        />
      </label>
      <label>
        Events <input name="events" required placeholder="page.*, media.uploaded" value={events} onInput={(event) => setEvents(event.currentTarget.value)} />
      </label>
      <label>
        Description <input name="description" value={description} onInput={(event) => setDescription(event.currentTarget.value)} />
      </label>
      <label class="check">
        <input name="active" type="checkbox" checked={active} onChange={(event) => setActive(event.currentTarget.checked)} /> Active
      </label>
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
