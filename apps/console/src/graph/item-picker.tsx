import { useQuery } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { COLLECTIONS, ContentRef, ContentType, ListOf } from '../api/types';
import { ProblemView } from '../components/problem-view';
import { useSession } from '../session/session';

interface Found {
  id: string;
  title?: string;
  filename?: string;
}

/** Search pages, modules or media by text and pick one. */
export function ItemPicker({ label, onPick }: { label: string; onPick: (ref: ContentRef & { title: string }) => void }) {
  const { api } = useSession();
  const [type, setType] = useState<ContentType>('page');
  const [search, setSearch] = useState('');
  const found = useQuery({
    queryKey: [COLLECTIONS[type], 'list', 'picker', search],
    queryFn: () => api.get<ListOf<Found>>(COLLECTIONS[type], { q: search, limit: 10 }),
  });
  return (
    <div class="picker">
      <div class="row">
        <select aria-label={`${label}: type`} value={type} onChange={(event) => setType(event.currentTarget.value as ContentType)}>
          <option value="page">page</option>
          <option value="module">module</option>
          <option value="media">media</option>
        </select>
        <input type="search" aria-label={`${label}: search`} placeholder="Search…" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
      </div>
      <ProblemView error={found.error} />
      <ul class="picks">
        {found.data?.data.map((item) => {
          const title = item.title ?? item.filename ?? item.id;
          return (
            <li key={item.id}>
              <button type="button" class="link" onClick={() => onPick({ type, id: item.id, title })}>
                {title}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
