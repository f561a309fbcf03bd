import { useMutation, useQueryClient } from '@tanstack/preact-query';
import { useLayoutEffect, useState } from 'preact/hooks';
import { formProblem } from '../api/problem';
import type { ModuleDto } from '../api/types';
import { formatDate, splitList } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';
import { useVersionedItem } from './versioned-item';
import { VersionedItemActions } from './versioned-item-actions';

interface ModuleFields {
  kind: string;
  title: string;
  pageId: string;
  position: string;
  tags: string;
  content: string;
}

const EMPTY: ModuleFields = { kind: '', title: '', pageId: '', position: '0', tags: '', content: '{}' };

function fieldsOf(module: ModuleDto): ModuleFields {
  return {
    kind: module.kind,
    title: module.title,
    pageId: module.pageId ?? '',
    position: String(module.position),
    tags: module.tags.join(', '),
    content: JSON.stringify(module.content, null, 2),
  };
}

/** The request body; a content field that is not a JSON object is refused here, before any request. */
function bodyOf(fields: ModuleFields) {
  let content: unknown;
  try {
    content = JSON.parse(fields.content);
  } catch {
    content = undefined;
  }
  if (!content || typeof content !== 'object' || Array.isArray(content)) {
    throw formProblem('Content is not a JSON object', 'Write the content as a JSON object, for example {"text": "Hello"}.');
  }
  return { kind: fields.kind, title: fields.title, pageId: fields.pageId || null, position: Number(fields.position), tags: splitList(fields.tags), content };
}

function ModuleFieldsForm({ fields, onChange, readOnly }: { fields: ModuleFields; onChange: (fields: ModuleFields) => void; readOnly: boolean }) {
  const set = (name: keyof ModuleFields) => (event: { currentTarget: { value: string } }) => onChange({ ...fields, [name]: event.currentTarget.value });
  return (
    <fieldset disabled={readOnly}>
      <label>
        Title <input name="title" required value={fields.title} onInput={set('title')} />
      </label>
      <label>
        Kind <input name="kind" required placeholder="hero, text, gallery…" value={fields.kind} onInput={set('kind')} />
      </label>
      <label>
        Page id <input name="pageId" placeholder="none" value={fields.pageId} onInput={set('pageId')} />
      </label>
      <label>
        Position <input name="position" type="number" min={0} value={fields.position} onInput={set('position')} />
      </label>
      <label>
        Tags <input name="tags" value={fields.tags} onInput={set('tags')} />
      </label>
      <label>
        Content (JSON) <textarea name="content" rows={8} class="code" value={fields.content} onInput={set('content')} />
      </label>
    </fieldset>
  );
}

export function NewModule() {
  const { api } = useSession();
  const client = useQueryClient();
  const [fields, setFields] = useState(EMPTY);
  const create = useMutation({
    mutationFn: () => api.send<ModuleDto>('POST', 'modules', bodyOf(fields)),
    onSuccess: async (module) => {
      await client.invalidateQueries({ queryKey: ['modules', 'list'] });
      location.hash = hrefOf('content', 'modules', module.id);
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
      <h2>New module</h2>
      <ModuleFieldsForm fields={fields} onChange={setFields} readOnly={false} />
      <ProblemView error={create.error} />
      <button type="submit" disabled={create.isPending}>
        Create module
      </button>
    </form>
  );
}

export function ModuleEditor({ id }: { id: string }) {
  const { capabilities } = useSession();
  const editing = useVersionedItem<ModuleDto>('modules', id);
  const { item, save, conflict } = editing;
  const [fields, setFields] = useState<ModuleFields | null>(null);
  const module = item.data?.body;
  // The form starts from the version read (and from the latest one after a reload). A layout
  // effect, so the fields change in the same frame as the version shown: a plain effect runs
  // after paint, and for that frame the form showed the new version number over the old text.
  useLayoutEffect(() => {
    if (module && !conflict) setFields(fieldsOf(module));
  }, [module?.version]);
  if (item.error) return <ProblemView error={item.error} />;
  if (!module || !fields) return <p class="muted">Loading…</p>;
  const canWrite = capabilities.can('content:write');
  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(() => bodyOf(fields));
      }}
    >
      <h2>{module.title}</h2>
      <p class="muted">
        Version <span class="version">{module.version}</span> · updated {formatDate(module.updatedAt)} ·{' '}
        <a href={hrefOf('relationships', 'module', module.id)}>Relationships</a>
      </p>
      <ModuleFieldsForm fields={fields} onChange={setFields} readOnly={!canWrite} />
      <VersionedItemActions
        editing={editing}
        canWrite={canWrite}
        deletePrompt={`Delete the module "${module.title}"?`}
        afterDelete={hrefOf('content', 'modules')}
      />
    </form>
  );
}
