import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import type { ListOf, WebhookDto, WebhookStatsDto, WebhookWithSecretDto } from '../api/types';
import { formatDate, formatPercent } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { SecretOnce } from '../components/secret-once';
import { hrefOf } from '../routing';
import { useSession } from '../session/session';
import { WebhookDetail } from '../webhooks/webhook-detail';
import { WebhookForm } from '../webhooks/webhook-form';

function NewWebhook() {
  const { api } = useSession();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (fields: object) => api.send<WebhookWithSecretDto>('POST', 'webhooks', fields),
    onSuccess: () => client.invalidateQueries({ queryKey: ['webhooks'] }),
  });
  if (create.data) {
    return (
      <section>
        <SecretOnce label="Signing secret" secret={create.data.secret} onDone={() => (location.hash = hrefOf('webhooks', create.data.id))} />
      </section>
    );
  }
  return (
    <section>
      <h2>New endpoint</h2>
      <ProblemView error={create.error} />
      <WebhookForm submitLabel="Create endpoint" busy={create.isPending} onSubmit={(fields) => create.mutate(fields)} />
    </section>
  );
}

/** An endpoint's health in its row: success rate over 24 h and its last failure. */
function EndpointHealth({ id }: { id: string }) {
  const { api } = useSession();
  const stats = useQuery({ queryKey: ['webhooks', id, 'stats'], queryFn: () => api.get<WebhookStatsDto>(`webhooks/${id}/stats`), refetchInterval: 10000 });
  if (!stats.data) return <span class="muted">…</span>;
  const { lastFailure } = stats.data;
  return (
    <>
      {formatPercent(stats.data['24h'].successRate)} <span class="muted">of {stats.data['24h'].attempts}</span>
      {lastFailure ? (
        <div class="error">
          last failure {formatDate(lastFailure.attemptedAt)}: {lastFailure.statusCode ?? lastFailure.error}
        </div>
      ) : null}
    </>
  );
}

function WebhookList() {
  const { api } = useSession();
  const list = useQuery({ queryKey: ['webhooks', 'list'], queryFn: () => api.get<ListOf<WebhookDto>>('webhooks', { limit: 100 }) });
  return (
    <section>
      <ProblemView error={list.error} />
      <table class="list">
        <thead>
          <tr>
            <th>URL</th>
            <th>Events</th>
            <th>State</th>
            <th>Success, 24 h</th>
            <th>Failures</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.data.map((endpoint) => (
            <tr key={endpoint.id}>
              <td>
                <a href={hrefOf('webhooks', endpoint.id)}>{endpoint.url}</a>
              </td>
              <td>
                <code>{endpoint.events.join(', ')}</code>
              </td>
              <td>
                <span class={`badge ${endpoint.active ? 'succeeded' : 'failed'}`}>{endpoint.active ? 'active' : 'disabled'}</span>
                {endpoint.disabledReason ? <span class="error"> {endpoint.disabledReason}</span> : null}
              </td>
              <td>
                <EndpointHealth id={endpoint.id} />
              </td>
              <td>{endpoint.failureCount}</td>
              <td>{formatDate(endpoint.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.data.length === 0 ? <p class="muted">No endpoints yet.</p> : null}
    </section>
  );
}

/** #/webhooks, #/webhooks/new, #/webhooks/<id>. The page needs webhooks:manage, so every action on it is allowed. */
export function WebhooksPage({ parts }: { parts: string[] }) {
  const [id] = parts;
  return (
    <>
      <div class="page-head">
        <h1>Webhooks</h1>
        <a class="button" href={hrefOf('webhooks', 'new')}>
          New endpoint
        </a>
      </div>
      {id === 'new' ? <NewWebhook /> : id ? <WebhookDetail id={id} /> : <WebhookList />}
    </>
  );
}
