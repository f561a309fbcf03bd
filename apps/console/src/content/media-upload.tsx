import { useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { splitList } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';
import { uploadMedia } from './upload';

/** Choose a file, add alt text and tags, upload it with a progress bar; then its page opens with the preview. */
export function MediaUpload() {
  const { api } = useSession();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [altText, setAltText] = useState('');
  const [tags, setTags] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const media = await uploadMedia(api.key, file, { altText, tags: splitList(tags) }, setProgress);
      await client.invalidateQueries({ queryKey: ['media', 'list'] });
      location.hash = hrefOf('content', 'media', media.id);
    } catch (failure) {
      setError(failure);
      setProgress(null);
    }
  };
  return (
    <form class="editor upload" onSubmit={(event) => void submit(event)}>
      <h2>Upload a file</h2>
      <label>
        File <input name="file" type="file" required onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)} />
      </label>
      <label>
        Alt text <input name="altText" value={altText} onInput={(event) => setAltText(event.currentTarget.value)} />
      </label>
      <label>
        Tags <input name="tags" value={tags} onInput={(event) => setTags(event.currentTarget.value)} />
      </label>
      {progress !== null ? (
        <label>
          Uploading <progress max={1} value={progress} aria-label="Upload progress" /> {Math.round(progress * 100)} %
        </label>
      ) : null}
      <ProblemView error={error} />
      <button type="submit" disabled={!file || progress !== null}>
        Upload
      </button>
    </form>
  );
}
