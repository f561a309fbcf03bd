import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { COLLECTIONS, ContentRef, ContentType, LinkViewDto, ListOf, RelationshipTypeDto } from '../api/types';
import { ProblemView } from '../components/problem-view';
import { GraphView } from '../graph/graph-view';
import { ItemPicker } from '../graph/item-picker';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';

function AddLink({ source }: { source: ContentRef }) {
  const { api } = useSession();
  const client = useQueryClient();
  const [type, setType] = useState('related');
  const [target, setTarget] = useState<(ContentRef & { title: string }) | null>(null);
  const types = useQuery({ queryKey: ['relationship-types'], queryFn: () => api.get<ListOf<RelationshipTypeDto>>('relationships/types') });
  const create = useMutation({
    mutationFn: () => api.send('POST', 'relationships', { source, target: { type: target!.type, id: target!.id }, type }),
    onSuccess: async () => {
      setTarget(null);
      await client.invalidateQueries({ queryKey: ['links'] });
      await client.invalidateQueries({ queryKey: ['graph'] });
    },
  });
  return (
    <form
      class="card add-link"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <h3>Add a link</h3>
      <label>
        Type
        <select name="type" value={type} onChange={(event) => setType(event.currentTarget.value)}>
          {types.data?.data.map((candidate) => (
            <option key={candidate.name} value={candidate.name}>
              {candidate.name} (inverse: {candidate.inverse})
            </option>
          ))}
        </select>
      </label>
      <p>
        To: <strong class="target">{target ? `${target.type} ${target.title}` : 'choose an item below'}</strong>
      </p>
      <ItemPicker label="Link target" onPick={setTarget} />
      <ProblemView error={create.error} />
      <button type="submit" disabled={!target || create.isPending}>
        Add link
      </button>
    </form>
  );
}

function Links({ item }: { item: ContentRef }) {
  const { api, capabilities } = useSession();
  const client = useQueryClient();
  const links = useQuery({
    queryKey: ['links', item.type, item.id],
    queryFn: () => api.get<ListOf<LinkViewDto>>(`${COLLECTIONS[item.type]}/${item.id}/relationships`, { direction: 'both', limit: 100 }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.send('DELETE', `relationships/${id}`),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['links'] });
      await client.invalidateQueries({ queryKey: ['graph'] });
    },
  });
  const canWrite = capabilities.can('relationships:write');
  return (
    <section>
      <h2>Links</h2>
      <ProblemView error={links.error ?? remove.error} />
      <table class="list links">
        <thead>
          <tr>
            <th>Direction</th>
            <th>Type</th>
            <th>Item</th>
            {canWrite ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {links.data?.data.map((link) => (
            <tr key={`${link.id}-${link.direction}`}>
              <td>{link.direction === 'out' ? '→ out' : '← in'}</td>
              <td>
                <code>{link.type}</code>
              </td>
              <td>
                <a href={hrefOf('relationships', link.item.type, link.item.id)}>
                  {link.item.type} {link.item.title ?? link.item.id}
                </a>
              </td>
              {canWrite ? (
                <td>
                  <button type="button" class="secondary" onClick={() => remove.mutate(link.id)}>
                    Remove
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {links.data?.data.length === 0 ? <p class="muted">No links yet.</p> : null}
    </section>
  );
}

/** #/relationships/<type>/<id>: the item's links both ways, add/remove, and its graph. Without an item: pick one. */
export function RelationshipsPage({ parts }: { parts: string[] }) {
  const { capabilities } = useSession();
  const [type, id] = parts;
  const item = type in COLLECTIONS && id ? { type: type as ContentType, id } : null;
  return (
    <>
      <div class="page-head">
        <h1>Relationships</h1>
      </div>
      {item ? (
        <div class="relationships">
          <div>
            <p class="muted">
              Centre: {item.type} <code>{item.id}</code> · <a href={hrefOf('content', COLLECTIONS[item.type], item.id)}>open in Content</a> ·{' '}
              <a href={hrefOf('relationships')}>choose another item</a>
            </p>
            <Links item={item} />
            {capabilities.can('relationships:write') ? <AddLink source={item} /> : null}
          </div>
          <GraphView root={item} />
        </div>
      ) : (
        <section class="card">
          <h2>Choose an item</h2>
          <ItemPicker label="Item" onPick={(ref) => (location.hash = hrefOf('relationships', ref.type, ref.id))} />
        </section>
      )}
    </>
  );
}
