import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { PreconditionFailedError } from '@strata/client';
import { useSession } from '../session/session';

/**
 * One versioned item (page, module, media) read with its ETag and saved with If-Match: a save
 * against a version someone else has changed since is refused by the API (412) and reported as
 * a conflict, never silently overwritten.
 */
export function useVersionedItem<T>(collection: string, id: string) {
  const { api } = useSession();
  const client = useQueryClient();
  const key = [collection, 'item', id];
  const item = useQuery({ queryKey: key, queryFn: () => api.getWithEtag<T>(`${collection}/${id}`) });
  const save = useMutation({
    /** `changes` builds the body when the save runs, so a form that cannot be sent fails as this save. */
    mutationFn: async (changes: () => Record<string, unknown>) => {
      const etag = item.data?.etag;
      return api.send<T>('PATCH', `${collection}/${id}`, changes(), etag ? { 'if-match': etag } : {});
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: [collection] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.send<void>('DELETE', `${collection}/${id}`),
    onSuccess: () => {
      client.removeQueries({ queryKey: key });
      return client.invalidateQueries({ queryKey: [collection, 'list'] });
    },
  });
  return {
    item,
    save,
    remove,
    /** True when the last save was refused because the item changed meanwhile. */
    conflict: isConflict(save.error),
    /** Reads the item again (its latest version and ETag) and clears the conflict. */
    reload: async () => {
      save.reset();
      await item.refetch();
    },
  };
}

export function isConflict(error: unknown): boolean {
  return error instanceof PreconditionFailedError;
}
