import type { MediaDto, ModuleDto, PageDto } from '../api/types';
import { formatBytes, formatDate } from '../components/format';
import { CollectionList } from '../content/collection-list';
import { MediaDetail } from '../content/media-detail';
import { MediaUpload } from '../content/media-upload';
import { ModuleEditor, NewModule } from '../content/module-editor';
import { NewPage, PageEditor } from '../content/page-editor';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';

const TABS = [
  { collection: 'pages', title: 'Pages', create: 'New page' },
  { collection: 'modules', title: 'Modules', create: 'New module' },
  { collection: 'media', title: 'Media', create: 'Upload' },
] as const;

function PagesList() {
  return (
    <CollectionList<PageDto>
      collection="pages"
      filters={[{ name: 'status', label: 'Status', options: ['draft', 'published', 'archived'] }]}
      rowHref={(page) => hrefOf('content', 'pages', page.id)}
      columns={[
        { header: 'Title', cell: (page) => page.title },
        { header: 'Slug', cell: (page) => <code>{page.slug}</code> },
        { header: 'Status', cell: (page) => <span class={`badge ${page.status}`}>{page.status}</span> },
        { header: 'Tags', cell: (page) => page.tags.join(', ') },
        { header: 'Updated', cell: (page) => formatDate(page.updatedAt) },
      ]}
    />
  );
}

function ModulesList() {
  return (
    <CollectionList<ModuleDto>
      collection="modules"
      rowHref={(module) => hrefOf('content', 'modules', module.id)}
      columns={[
        { header: 'Title', cell: (module) => module.title },
        { header: 'Kind', cell: (module) => module.kind },
        { header: 'Position', cell: (module) => module.position },
        { header: 'Tags', cell: (module) => module.tags.join(', ') },
        { header: 'Updated', cell: (module) => formatDate(module.updatedAt) },
      ]}
    />
  );
}

function MediaList() {
  return (
    <CollectionList<MediaDto>
      collection="media"
      rowHref={(media) => hrefOf('content', 'media', media.id)}
      columns={[
        { header: 'File', cell: (media) => media.filename },
        { header: 'Type', cell: (media) => media.mimeType },
        { header: 'Size', cell: (media) => formatBytes(media.sizeBytes) },
        { header: 'Alt text', cell: (media) => media.altText },
        { header: 'Uploaded', cell: (media) => formatDate(media.createdAt) },
      ]}
    />
  );
}

/** Pages, modules and media: #/content/<collection>[/<id>|/new]. */
export function ContentPage({ parts }: { parts: string[] }) {
  const { capabilities } = useSession();
  const [collection = 'pages', id] = parts;
  const tab = TABS.find((candidate) => candidate.collection === collection) ?? TABS[0];
  let view;
  if (id === 'new') view = tab.collection === 'pages' ? <NewPage /> : tab.collection === 'modules' ? <NewModule /> : <MediaUpload />;
  else if (id) view = tab.collection === 'pages' ? <PageEditor id={id} /> : tab.collection === 'modules' ? <ModuleEditor id={id} /> : <MediaDetail id={id} />;
  else view = tab.collection === 'pages' ? <PagesList /> : tab.collection === 'modules' ? <ModulesList /> : <MediaList />;
  return (
    <>
      <div class="page-head">
        <h1>Content</h1>
        <nav class="tabs" aria-label="Collections">
          {TABS.map((candidate) => (
            <a key={candidate.collection} href={hrefOf('content', candidate.collection)} aria-current={candidate === tab ? 'page' : undefined}>
              {candidate.title}
            </a>
          ))}
        </nav>
        {capabilities.can('content:write') && id !== 'new' ? (
          <a class="button" href={hrefOf('content', tab.collection, 'new')}>
            {tab.create}
          </a>
        ) : null}
      </div>
      {view}
    </>
  );
}
