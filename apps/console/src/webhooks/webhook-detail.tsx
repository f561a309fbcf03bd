import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import type { QueuedDto, WebhookDto, WebhookStatsDto, WebhookWithSecretDto } from '../api/types';
import { formatDate, formatPercent } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { SecretOnce } from '../components/secret-once';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';
import { DeliveriesLog } from './deliveries-log';
import { WebhookFields, WebhookForm } from './webhook-form';

function Health({ stats }: { stats: WebhookStatsDto }) {
  return (
    <dl class="stats">
      {(['1h', '24h', '7d'] as const).map((window) => (
        <div key={window}>
          <dt>Success rate, {window}</dt>
          <dd>
            {formatPercent(stats[window].successRate)} <span class="muted">of {stats[window].attempts}</span>
          </dd>
        </div>
      ))}
      <div>
        <dt>p99 latency, 24h</dt>
        <dd>{stats['24h'].p99LatencyMs ?? '—'} ms</dd>
      </div>
      <div>
        <dt>Last failure</dt>
        <dd>
          {stats.lastFailure ? `${formatDate(stats.lastFailure.attemptedAt)}: ${stats.lastFailure.statusCode ?? ''} ${stats.lastFailure.error ?? ''}` : 'none'}
        </dd>
      </div>
    </dl>
  );
}

/** One endpoint: health, edit, enable, rotate secret (shown once), send a test, and its delivery log. */
export function WebhookDetail({ id }: { id: string }) {
  const { api } = useSession();
  const client = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const webhook = useQuery({ queryKey: ['webhooks', id], queryFn: () => api.get<WebhookDto>(`webhooks/${id}`) });
  const stats = useQuery({ queryKey: ['webhooks', id, 'stats'], queryFn: () => api.get<WebhookStatsDto>(`webhooks/${id}/stats`), refetchInterval: 5000 });
  const refresh = () => client.invalidateQueries({ queryKey: ['webhooks'] });
  const update = useMutation({
    mutationFn: (fields: WebhookFields) => api.send<WebhookDto>('PATCH', `webhooks/${id}`, fields),
    onSuccess: () => {
      setEditing(false);
      return refresh();
    },
  });
  const action = useMutation({
    mutationFn: (name: 'enable' | 'disable' | 'test' | 'rotate' | 'delete'): Promise<unknown> => {
      switch (name) {
        case 'enable':
          return api.send<WebhookDto>('POST', `webhooks/${id}/enable`);
        case 'disable':
          return api.send<WebhookDto>('PATCH', `webhooks/${id}`, { active: false });
        case 'test':
          return api.send<QueuedDto>('POST', `webhooks/${id}/test`);
        case 'rotate':
          return api.send<WebhookWithSecretDto>('POST', `webhooks/${id}/rotate-secret`);
        case 'delete':
          return api.send<void>('DELETE', `webhooks/${id}`);
      }
    },
    onSuccess: (result, name) => {
      if (name === 'rotate') setSecret((result as WebhookWithSecretDto).secret);
      if (name === 'delete') location.hash = hrefOf('webhooks');
      return refresh();
    },
  });
  if (webhook.error) return <ProblemView error={webhook.error} />;
  const endpoint = webhook.data;
  if (!endpoint) return <p class="muted">Loading…</p>;
  return (
    <div class="webhook-detail">
      <h2>{endpoint.url}</h2>
      <p class="muted">
        {endpoint.description || 'No description'} · events <code>{endpoint.events.join(', ')}</code> ·{' '}
        <span class={`badge ${endpoint.active ? 'succeeded' : 'failed'}`}>{endpoint.active ? 'active' : 'disabled'}</span>
        {endpoint.disabledReason ? <span class="error"> {endpoint.disabledReason}</span> : null} · {endpoint.failureCount} failures
      </p>
      {stats.data ? <Health stats={stats.data} /> : <ProblemView error={stats.error} />}
      {secret ? <SecretOnce label="New signing secret" secret={secret} onDone={() => setSecret(null)} /> : null}
      <ProblemView error={action.error ?? update.error} />
      {action.isSuccess && action.variables === 'test' ? (
        <p class="ok" role="status">
          Test event queued.
        </p>
      ) : null}
      <div class="actions">
        <button type="button" disabled={action.isPending} onClick={() => action.mutate('test')}>
          Send test
        </button>
        {endpoint.active ? (
          <button type="button" class="secondary" onClick={() => action.mutate('disable')}>
            Disable
          </button>
        ) : (
          <button type="button" class="secondary" onClick={() => action.mutate('enable')}>
            Enable
          </button>
        )}
        <button type="button" class="secondary" onClick={() => setEditing(!editing)}>
          Edit
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() => confirm('Rotate the signing secret? The old one keeps signing alongside for 24 h.') && action.mutate('rotate')}
        >
          Rotate secret
        </button>
        <button type="button" class="danger" onClick={() => confirm(`Delete the endpoint ${endpoint.url}?`) && action.mutate('delete')}>
          Delete
        </button>
      </div>
      {editing ? <WebhookForm initial={endpoint} submitLabel="Save" busy={update.isPending} onSubmit={(fields) => update.mutate(fields)} /> : null}
      <DeliveriesLog webhookId={id} />
    </div>
  );
}
