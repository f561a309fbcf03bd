import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import type { CacheStatsDto, CacheSummaryDto } from '../api/types';
import { formatBytes, formatDate, formatPercent, splitList } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { useSession } from '../session/session';

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** Cache state and counters (refreshed every few seconds), flush by tag or all, warm the most-read items. */
export function CachePage() {
  const { api } = useSession();
  const client = useQueryClient();
  const [tags, setTags] = useState('');
  const [mostRead, setMostRead] = useState('100');
  const summary = useQuery({ queryKey: ['cache', 'summary'], queryFn: () => api.get<CacheSummaryDto>('cache'), refetchInterval: 5000 });
  const stats = useQuery({ queryKey: ['cache', 'stats'], queryFn: () => api.get<CacheStatsDto>('cache/stats'), refetchInterval: 5000 });
  const refresh = () => client.invalidateQueries({ queryKey: ['cache'] });
  const flush = useMutation({
    mutationFn: (flushTags: string[] | null) => api.send<{ flushed: string; tags?: string[] }>('POST', 'cache/flush', flushTags ? { tags: flushTags } : {}),
    onSuccess: refresh,
  });
  const warm = useMutation({ mutationFn: () => api.send<{ accepted: number }>('POST', 'cache/warm', { mostRead: Number(mostRead) }), onSuccess: refresh });
  const reset = useMutation({ mutationFn: () => api.send('POST', 'cache/stats/reset'), onSuccess: refresh });
  const s = stats.data;
  return (
    <>
      <div class="page-head">
        <h1>Cache</h1>
      </div>
      <ProblemView error={summary.error ?? stats.error} />
      {summary.data ? (
        <p>
          <span class={`badge ${summary.data.status === 'ok' ? 'succeeded' : 'failed'}`}>{summary.data.status}</span> L2 {summary.data.l2} · circuit{' '}
          {summary.data.circuit} · invalidation bus {summary.data.bus}
        </p>
      ) : null}
      {s ? (
        <dl class="stats">
          <Stat label="Hit rate" value={formatPercent(s.hitRate)} />
          <Stat label="L1 hits" value={s.l1Hits} />
          <Stat label="L2 hits" value={s.l2Hits} />
          <Stat label="Misses" value={s.misses} />
          <Stat label="Stale hits" value={s.staleHits} />
          <Stat label="Coalesced" value={s.coalesced} />
          <Stat label="Load errors" value={s.loadErrors} />
          <Stat label="L2 errors" value={s.l2Errors} />
          <Stat label="L1 entries" value={`${s.l1.entries} of ${s.l1.maxEntries}`} />
          <Stat label="L1 size" value={`${formatBytes(s.l1.bytes)} of ${formatBytes(s.l1.maxBytes)}`} />
          <Stat label="L2 entries" value={s.l2.entries ?? '—'} />
          <Stat label="L1 p99" value={s.latency.l1.p99 === null ? '—' : `${s.latency.l1.p99} ms`} />
          <Stat label="L2 p99" value={s.latency.l2.p99 === null ? '—' : `${s.latency.l2.p99} ms`} />
          <Stat label="Load p99" value={s.latency.loader.p99 === null ? '—' : `${s.latency.loader.p99} ms`} />
          <Stat label="Counting since" value={formatDate(s.since)} />
        </dl>
      ) : null}
      <section class="cards">
        <form
          class="card"
          onSubmit={(event) => {
            event.preventDefault();
            flush.mutate(splitList(tags));
          }}
        >
          <h2>Flush by tag</h2>
          <label>
            Tags <input name="tags" required placeholder="page:…, pages:list" value={tags} onInput={(event) => setTags(event.currentTarget.value)} />
          </label>
          <div class="actions">
            <button type="submit" disabled={flush.isPending}>
              Flush tags
            </button>
            <button type="button" class="danger" onClick={() => confirm('Flush the whole cache?') && flush.mutate(null)}>
              Flush everything
            </button>
          </div>
          {flush.data ? (
            <p class="ok" role="status">
              Flushed {flush.data.flushed === 'all' ? 'everything' : flush.data.tags?.join(', ')}.
            </p>
          ) : null}
          <ProblemView error={flush.error} />
        </form>
        <form
          class="card"
          onSubmit={(event) => {
            event.preventDefault();
            warm.mutate();
          }}
        >
          <h2>Warm the most-read items</h2>
          <label>
            How many <input name="mostRead" type="number" min={1} max={1000} value={mostRead} onInput={(event) => setMostRead(event.currentTarget.value)} />
          </label>
          <button type="submit" disabled={warm.isPending}>
            Warm
          </button>
          {warm.data ? (
            <p class="ok" role="status">
              {warm.data.accepted} items queued for warming.
            </p>
          ) : null}
          <ProblemView error={warm.error} />
        </form>
        <div class="card">
          <h2>Counters</h2>
          <button type="button" class="secondary" onClick={() => reset.mutate()}>
            Reset statistics
          </button>
          <ProblemView error={reset.error} />
        </div>
      </section>
    </>
  );
}
