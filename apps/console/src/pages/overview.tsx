import { useQuery } from '@tanstack/preact-query';
import type { HealthDto } from '../api/types';
import { formatPercent } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { LiveEvents } from '../overview/live-events';
import { TimeChart } from '../overview/time-chart';
import { useMetricsHistory } from '../overview/use-metrics-history';
import { useSession } from '../session/session';

const number = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const percent = (value: number) => `${(value * 100).toFixed(0)} %`;

/**
 * A health probe's body. The probes are public (no key) and answer 503 with the same body when
 * something is down: that body is what to show, not an error.
 */
async function probe(path: string): Promise<HealthDto> {
  const response = await fetch(path, { cache: 'no-store' });
  return (await response.json()) as HealthDto;
}

function HealthPanel() {
  const health = useQuery({ queryKey: ['health'], queryFn: () => probe('/health'), refetchInterval: 5000 });
  const live = useQuery({ queryKey: ['health', 'live'], queryFn: async () => (await probe('/health/live')).status, refetchInterval: 5000 });
  const ready = useQuery({ queryKey: ['health', 'ready'], queryFn: async () => (await probe('/health/ready')).status, refetchInterval: 5000 });
  const details = health.data?.details ?? {};
  return (
    <section class="health">
      <h2>Health</h2>
      <ProblemView error={health.error} />
      <p>
        Live <span class={`badge ${live.data === 'ok' ? 'succeeded' : 'failed'}`}>{live.data ?? '…'}</span> · Ready{' '}
        <span class={`badge ${ready.data === 'ok' ? 'succeeded' : 'failed'}`}>{ready.data ?? '…'}</span> · Overall{' '}
        <span class={`badge ${health.data?.status === 'ok' ? 'succeeded' : 'failed'}`}>{health.data?.status ?? '…'}</span>
      </p>
      <ul class="indicators">
        {Object.entries(details).map(([name, indicator]) => (
          <li key={name} class={indicator.status === 'up' ? 'up' : 'down'}>
            <span class={`badge ${indicator.status === 'up' ? 'succeeded' : 'failed'}`}>{indicator.status}</span> {name}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** At a glance: health, traffic and errors, cache hit rates, the webhook queue, and events as they happen. */
export function OverviewPage() {
  const { api } = useSession();
  const { history, error } = useMetricsHistory(api);
  const times = history.map((point) => point.at / 1000);
  const last = history[history.length - 1];
  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
      </div>
      <HealthPanel />
      <ProblemView error={error} />
      <dl class="stats headline">
        <div>
          <dt>Requests/s</dt>
          <dd>{last ? number(last.requestsPerS) : '…'}</dd>
        </div>
        <div>
          <dt>Error rate (5xx)</dt>
          <dd>{last ? formatPercent(last.errorRate) : '…'}</dd>
        </div>
        <div>
          <dt>L1 / L2 hit rate</dt>
          <dd>{last ? `${formatPercent(last.l1HitRate)} / ${formatPercent(last.l2HitRate)}` : '…'}</dd>
        </div>
        <div>
          <dt>Webhook queue</dt>
          <dd>{last ? last.queueDepth : '…'}</dd>
        </div>
        <div>
          <dt>Deliveries/s</dt>
          <dd>{last ? number(last.deliveriesPerS) : '…'}</dd>
        </div>
        <div>
          <dt>Outbox backlog</dt>
          <dd>{last ? last.outboxBacklog : '…'}</dd>
        </div>
      </dl>
      <div class="charts">
        <TimeChart
          title="Requests/s and 5xx error rate"
          times={times}
          format={number}
          series={[
            { label: 'req/s', stroke: '#2563eb', values: history.map((point) => point.requestsPerS) },
            { label: '5xx %', stroke: '#dc2626', values: history.map((point) => (point.errorRate === null ? null : point.errorRate * 100)) },
          ]}
        />
        <TimeChart
          title="Cache hit rate"
          times={times}
          format={percent}
          series={[
            { label: 'L1', stroke: '#16a34a', values: history.map((point) => point.l1HitRate) },
            { label: 'L2', stroke: '#9333ea', values: history.map((point) => point.l2HitRate) },
          ]}
        />
        <TimeChart
          title="Webhook queue depth and deliveries/s"
          times={times}
          format={number}
          series={[
            { label: 'queued', stroke: '#ea580c', values: history.map((point) => point.queueDepth) },
            { label: 'deliveries/s', stroke: '#0891b2', values: history.map((point) => point.deliveriesPerS) },
            { label: 'outbox', stroke: '#64748b', values: history.map((point) => point.outboxBacklog) },
          ]}
        />
      </div>
      <LiveEvents />
    </>
  );
}
