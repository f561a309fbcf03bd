import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import type { ApiKeyDto, IssuedApiKeyDto, KeyUsageDto, ListOf } from '../api/types';
import { formatDate } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { SecretOnce } from '../components/secret-once';
import { SCOPES } from '../session/scopes';
import { useSession } from '../session/session';

const TIERS = ['free', 'basic', 'premium', 'unlimited'];
/** Per-minute and per-day limits of the built-in tiers (RATE_LIMIT_TIERS may change them on a server). */
const TIER_LIMITS: Record<string, string> = {
  free: '60/min · 1 000/day',
  basic: '300/min · 20 000/day',
  premium: '1 200/min · 200 000/day',
  unlimited: 'no limit',
};

function NewKeyForm({ onIssued }: { onIssued: (issued: IssuedApiKeyDto) => void }) {
  const { api, capabilities } = useSession();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [tier, setTier] = useState('free');
  const [scopes, setScopes] = useState<string[]>(['content:read']);
  const create = useMutation({
    mutationFn: () => api.send<IssuedApiKeyDto>('POST', 'api-keys', { name, tier, scopes }),
    onSuccess: async (issued) => {
      onIssued(issued);
      await client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  // A key can grant only scopes it holds: the others are not offered.
  const grantable = SCOPES.filter((scope) => capabilities.can(scope));
  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <h2>New key</h2>
      <label>
        Name <input name="name" required value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <label>
        Tier
        <select name="tier" value={tier} onChange={(event) => setTier(event.currentTarget.value)}>
          {TIERS.map((candidate) => (
            <option key={candidate} value={candidate}>
              {candidate} ({TIER_LIMITS[candidate]})
            </option>
          ))}
        </select>
      </label>
      <fieldset class="scopes-choice">
        <legend>Scopes</legend>
        {grantable.map((scope) => (
          <label key={scope} class="check">
            <input
              type="checkbox"
              name="scope"
              value={scope}
              checked={scopes.includes(scope)}
              onChange={(event) => setScopes(event.currentTarget.checked ? [...scopes, scope] : scopes.filter((held) => held !== scope))}
            />{' '}
            {scope}
          </label>
        ))}
      </fieldset>
      <ProblemView error={create.error} />
      <button type="submit" disabled={create.isPending || scopes.length === 0}>
        Create key
      </button>
    </form>
  );
}

function Usage({ id }: { id: string }) {
  const { api } = useSession();
  const usage = useQuery({ queryKey: ['api-keys', id, 'usage'], queryFn: () => api.get<KeyUsageDto>(`api-keys/${id}/usage`, { granularity: 'day' }) });
  if (usage.error) return <ProblemView error={usage.error} />;
  const buckets = usage.data?.data ?? [];
  const total = (field: 'allowed' | 'rateLimited' | 'usageExceeded' | 'forbidden') => buckets.reduce((sum, bucket) => sum + bucket[field], 0);
  return (
    <dl class="stats usage">
      <div>
        <dt>Allowed</dt>
        <dd>{total('allowed')}</dd>
      </div>
      <div>
        <dt>Rate-limited</dt>
        <dd>{total('rateLimited')}</dd>
      </div>
      <div>
        <dt>No uses left</dt>
        <dd>{total('usageExceeded')}</dd>
      </div>
      <div>
        <dt>Forbidden</dt>
        <dd>{total('forbidden')}</dd>
      </div>
    </dl>
  );
}

function KeyRow({ apiKey, onIssued }: { apiKey: ApiKeyDto; onIssued: (issued: IssuedApiKeyDto) => void }) {
  const { api } = useSession();
  const client = useQueryClient();
  const [showUsage, setShowUsage] = useState(false);
  const action = useMutation({
    mutationFn: (name: 'revoke' | 'rotate' | 'delete'): Promise<unknown> =>
      name === 'revoke'
        ? api.send<ApiKeyDto>('PATCH', `api-keys/${apiKey.id}/revoke`)
        : name === 'rotate'
          ? api.send<IssuedApiKeyDto>('POST', `api-keys/${apiKey.id}/rotate`)
          : api.send<void>('DELETE', `api-keys/${apiKey.id}`),
    onSuccess: (result, name) => {
      if (name === 'rotate') onIssued(result as IssuedApiKeyDto);
      return client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoked = apiKey.revokedAt !== null;
  return (
    <>
      <tr class={revoked ? 'revoked' : undefined} data-key-name={apiKey.name}>
        <td>
          {apiKey.name}
          <div class="muted">
            <code>{apiKey.start}…</code>
          </div>
        </td>
        <td>
          {apiKey.tier}
          <div class="muted">{TIER_LIMITS[apiKey.tier] ?? ''}</div>
        </td>
        <td>{apiKey.scopes.join(', ')}</td>
        <td>
          {apiKey.usageCount} requests{apiKey.remaining !== null ? ` · ${apiKey.remaining} left` : ''}
          <div class="muted">last {formatDate(apiKey.lastUsedAt)}</div>
        </td>
        <td>{revoked ? <span class="badge failed">revoked</span> : <span class="badge succeeded">active</span>}</td>
        <td class="actions">
          <button type="button" class="secondary" onClick={() => setShowUsage(!showUsage)} aria-expanded={showUsage}>
            Usage
          </button>
          {!revoked ? (
            <>
              <button
                type="button"
                class="secondary"
                onClick={() => confirm(`Rotate ${apiKey.name}? The old key stays valid for a grace period.`) && action.mutate('rotate')}
              >
                Rotate
              </button>
              <button
                type="button"
                class="secondary"
                onClick={() => confirm(`Revoke ${apiKey.name}? It stops working everywhere within a second.`) && action.mutate('revoke')}
              >
                Revoke
              </button>
            </>
          ) : null}
          <button type="button" class="danger" onClick={() => confirm(`Delete ${apiKey.name}?`) && action.mutate('delete')}>
            Delete
          </button>
          <ProblemView error={action.error} />
        </td>
      </tr>
      {showUsage ? (
        <tr>
          <td colSpan={6}>
            <Usage id={apiKey.id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** API keys: list with tier, scopes, last use and usage; create (the key shown once), rotate, revoke, delete. */
export function ApiKeysPage() {
  const { api } = useSession();
  const [issued, setIssued] = useState<IssuedApiKeyDto | null>(null);
  const [creating, setCreating] = useState(false);
  const list = useQuery({ queryKey: ['api-keys', 'list'], queryFn: () => api.get<ListOf<ApiKeyDto>>('api-keys', { limit: 100 }) });
  return (
    <>
      <div class="page-head">
        <h1>API keys</h1>
        <button type="button" onClick={() => setCreating(!creating)}>
          New key
        </button>
      </div>
      {issued ? <SecretOnce label={`Key "${issued.name}"`} secret={issued.key} onDone={() => setIssued(null)} /> : null}
      {creating ? (
        <NewKeyForm
          onIssued={(key) => {
            setIssued(key);
            setCreating(false);
          }}
        />
      ) : null}
      <ProblemView error={list.error} />
      <table class="list keys">
        <thead>
          <tr>
            <th>Name</th>
            <th>Tier</th>
            <th>Scopes</th>
            <th>Usage</th>
            <th>State</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.data.map((apiKey) => (
            <KeyRow key={apiKey.id} apiKey={apiKey} onIssued={setIssued} />
          ))}
        </tbody>
      </table>
    </>
  );
}
