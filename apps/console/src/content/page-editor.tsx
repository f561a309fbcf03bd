import { useMutation, useQueryClient } from '@tanstack/preact-query';
import { useLayoutEffect, useState } from 'preact/hooks';
import type { PageDto, PageStatus } from '../api/types';
import { formatDate, splitList } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';
import { useVersionedItem } from './versioned-item';
import { VersionedItemActions } from './versioned-item-actions';

interface PageFields {
  slug: string;
  title: string;
  body: string;
  status: PageStatus;
  tags: string;
}

const EMPTY: PageFields = { slug: '', title: '', body: '', status: 'draft', tags: '' };

function fieldsOf(page: PageDto): PageFields {
  return { slug: page.slug, title: page.title, body: page.body, status: page.status, tags: page.tags.join(', ') };
}

function bodyOf(fields: PageFields) {
  return { slug: fields.slug, title: fields.title, body: fields.body, status: fields.status, tags: splitList(fields.tags) };
}

function PageFieldsForm({ fields, onChange, readOnly }: { fields: PageFields; onChange: (fields: PageFields) => void; readOnly: boolean }) {
  const set = (name: keyof PageFields) => (event: { currentTarget: { value: string } }) => onChange({ ...fields, [name]: event.currentTarget.value });
  return (
    <fieldset disabled={readOnly}>
      <label>
        Title <input name="title" required value={fields.title} onInput={set('title')} />
      </label>
      <label>
        Slug <input name="slug" required pattern="[a-z0-9]+(-[a-z0-9]+)*" value={fields.slug} onInput={set('slug')} />
      </label>
      <label>
        Status
        <select name="status" value={fields.status} onChange={set('status')}>
          <option value="draft">draft</option>
          <option value="published">published</option>
          <option value="archived">archived</option>
        </select>
      </label>
      <label>
        Tags <input name="tags" placeholder="news, featured" value={fields.tags} onInput={set('tags')} />
      </label>
      <label>
        Body <textarea name="body" rows={10} value={fields.body} onInput={set('body')} />
      </label>
    </fieldset>
  );
}

export function NewPage() {
  const { api } = useSession();
  const client = useQueryClient();
  const [fields, setFields] = useState(EMPTY);
  const create = useMutation({
    mutationFn: () => api.send<PageDto>('POST', 'pages', bodyOf(fields)),
    onSuccess: async (page) => {
      await client.invalidateQueries({ queryKey: ['pages', 'list'] });
      location.hash = hrefOf('content', 'pages', page.id);
    },
  });
  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <h2>New page</h2>
      <PageFieldsForm fields={fields} onChange={setFields} readOnly={false} />
      <ProblemView error={create.error} />
      <button type="submit" disabled={create.isPending}>
        Create page
      </button>
    </form>
  );
}

export function PageEditor({ id }: { id: string }) {
  const { capabilities } = useSession();
  const editing = useVersionedItem<PageDto>('pages', id);
  const { item, save, conflict } = editing;
  const [fields, setFields] = useState<PageFields | null>(null);
  const page = item.data?.body;
  // The form starts from the version read (and from the latest one after a reload). A layout
  // effect, so the fields change in the same frame as the version shown: a plain effect runs
  // after paint, and for that frame the form showed the new version number over the old text.
  useLayoutEffect(() => {
    if (page && !conflict) setFields(fieldsOf(page));
  }, [page?.version]);
  if (item.error) return <ProblemView error={item.error} />;
  if (!page || !fields) return <p class="muted">Loading…</p>;
  const canWrite = capabilities.can('content:write');
  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(() => bodyOf(fields));
      }}
    >
      <h2>{page.title}</h2>
      <p class="muted">
        Version <span class="version">{page.version}</span> · updated {formatDate(page.updatedAt)} ·{' '}
        <a href={hrefOf('relationships', 'page', page.id)}>Relationships</a>
      </p>
      <PageFieldsForm fields={fields} onChange={setFields} readOnly={!canWrite} />
      <VersionedItemActions
        editing={editing}
        canWrite={canWrite}
        deletePrompt={`Delete the page "${page.title}"? Its relationships are deleted with it.`}
        afterDelete={hrefOf('content', 'pages')}
      />
    </form>
  );
}
