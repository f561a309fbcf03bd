import { useQuery } from '@tanstack/preact-query';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { MediaDto } from '../api/types';
import { formatBytes, formatDate, splitList } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';
import { previewKind } from './upload';
import { useVersionedItem } from './versioned-item';
import { VersionedItemActions } from './versioned-item-actions';

/**
 * The file as an object URL: it is fetched with the key in a header (an <img src> could not send
 * one, and a key in the URL would be logged), and the URL is released when the view goes.
 */
function useFileUrl(id: string, version: number | undefined) {
  const { api } = useSession();
  const file = useQuery({
    queryKey: ['media', 'file', id, version],
    queryFn: async () => (await api.raw(`media/${id}/file`)).blob(),
    enabled: version !== undefined,
  });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file.data) return;
    const objectUrl = URL.createObjectURL(file.data);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [file.data]);
  return { url, error: file.error };
}

function Preview({ media, url }: { media: MediaDto; url: string }) {
  switch (previewKind(media.mimeType)) {
    case 'image':
      return <img class="preview" src={url} alt={media.altText || media.filename} />;
    case 'video':
      return <video class="preview" src={url} controls />;
    case 'audio':
      return <audio src={url} controls />;
    case 'pdf':
      return <iframe class="preview pdf" src={url} title={media.filename} />;
    default:
      return <p class="muted">No preview for {media.mimeType}.</p>;
  }
}

export function MediaDetail({ id }: { id: string }) {
  const { capabilities } = useSession();
  const editing = useVersionedItem<MediaDto>('media', id);
  const { item, save, conflict } = editing;
  const media = item.data?.body;
  const file = useFileUrl(id, media?.version);
  const [altText, setAltText] = useState('');
  const [tags, setTags] = useState('');
  // The form starts from the version read (and from the latest one after a reload). A layout
  // effect, so the fields change in the same frame as the version shown: a plain effect runs
  // after paint, and for that frame the form showed the new version number over the old text.
  useLayoutEffect(() => {
    if (media && !conflict) {
      setAltText(media.altText);
      setTags(media.tags.join(', '));
    }
  }, [media?.version]);
  if (item.error) return <ProblemView error={item.error} />;
  if (!media) return <p class="muted">Loading…</p>;
  const canWrite = capabilities.can('content:write');
  return (
    <div class="media-detail">
      <h2>{media.filename}</h2>
      <p class="muted">
        {media.mimeType} · {formatBytes(media.sizeBytes)} · version <span class="version">{media.version}</span> · uploaded {formatDate(media.createdAt)} ·{' '}
        <a href={hrefOf('relationships', 'media', media.id)}>Relationships</a>
      </p>
      <div class="preview-box">{file.url ? <Preview media={media} url={file.url} /> : <ProblemView error={file.error} />}</div>
      {file.url ? (
        <a class="button secondary" href={file.url} download={media.filename}>
          Download
        </a>
      ) : null}
      <form
        class="editor"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(() => ({ altText, tags: splitList(tags) }));
        }}
      >
        <fieldset disabled={!canWrite}>
          <label>
            Alt text <input name="altText" value={altText} onInput={(event) => setAltText(event.currentTarget.value)} />
          </label>
          <label>
            Tags <input name="tags" value={tags} onInput={(event) => setTags(event.currentTarget.value)} />
          </label>
        </fieldset>
        <VersionedItemActions editing={editing} canWrite={canWrite} deletePrompt={`Delete ${media.filename}?`} afterDelete={hrefOf('content', 'media')} />
      </form>
    </div>
  );
}
