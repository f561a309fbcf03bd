import { ProblemView } from '../components/problem-view';
import { ConflictNotice } from './conflict-notice';
import type { useVersionedItem } from './versioned-item';

/**
 * The foot of every versioned item's form (page, module, media): the save's outcome (a 412
 * conflict with its way out, or the problem, or "Saved."), the delete's problem, and Save and
 * Delete for a key that may write. Delete asks `deletePrompt` first, then goes to `afterDelete`.
 */
export function VersionedItemActions({
  editing: { save, remove, conflict, reload },
  canWrite,
  deletePrompt,
  afterDelete,
}: {
  editing: Pick<ReturnType<typeof useVersionedItem>, 'save' | 'remove' | 'conflict' | 'reload'>;
  canWrite: boolean;
  deletePrompt: string;
  afterDelete: string;
}) {
  return (
    <>
      {conflict ? <ConflictNotice onReload={() => void reload()} /> : <ProblemView error={save.error} />}
      {save.isSuccess ? (
        <p class="ok" role="status">
          Saved.
        </p>
      ) : null}
      <ProblemView error={remove.error} />
      {canWrite ? (
        <div class="actions">
          <button type="submit" disabled={save.isPending}>
            Save
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => {
              if (confirm(deletePrompt)) remove.mutate(undefined, { onSuccess: () => (location.hash = afterDelete) });
            }}
          >
            Delete
          </button>
        </div>
      ) : null}
    </>
  );
}
