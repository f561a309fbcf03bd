import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import type { ListOf, QueuedDto, WebhookDeliveryDto } from '../api/types';
import { formatDate } from '../components/format';
import { ProblemView } from '../components/problem-view';
import { useSession } from '../session/session';

/** Every delivery to the endpoint with each attempt (status, duration, response body, error), and redeliver. */
export function DeliveriesLog({ webhookId }: { webhookId: string }) {
  const { api } = useSession();
  const client = useQueryClient();
  const deliveries = useQuery({
    queryKey: ['webhooks', webhookId, 'deliveries'],
    queryFn: () => api.get<ListOf<WebhookDeliveryDto>>(`webhooks/${webhookId}/deliveries`, { limit: 50 }),
    refetchInterval: 2000,
  });
  const redeliver = useMutation({
    mutationFn: (deliveryId: string) => api.send<QueuedDto>('POST', `webhooks/${webhookId}/deliveries/${deliveryId}/retry`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['webhooks', webhookId] }),
  });
  return (
    <section>
      <h3>Deliveries</h3>
      <ProblemView error={deliveries.error ?? redeliver.error} />
      {deliveries.data?.data.length === 0 ? <p class="muted">No deliveries yet. Send a test to see one.</p> : null}
      <ol class="deliveries">
        {deliveries.data?.data.map((delivery) => (
          <li key={delivery.id} class={`delivery ${delivery.status}`}>
            <div class="row">
              <span class={`badge ${delivery.status}`}>{delivery.status}</span>
              <code>{delivery.eventType}</code>
              <span class="muted">{delivery.eventId}</span>
              <span class="muted">{formatDate(delivery.createdAt)}</span>
              <button type="button" class="secondary" disabled={redeliver.isPending} onClick={() => redeliver.mutate(delivery.id)}>
                Redeliver
              </button>
            </div>
            <table class="attempts">
              <thead>
                <tr>
                  <th>Attempted</th>
                  <th>Status</th>
                  <th>Duration</th>
                  <th>Response / error</th>
                </tr>
              </thead>
              <tbody>
                {delivery.attempts.map((attempt, index) => (
                  <tr key={index} class="attempt">
                    <td>{formatDate(attempt.attemptedAt)}</td>
                    <td>{attempt.statusCode ?? '—'}</td>
                    <td>{attempt.durationMs} ms</td>
                    <td>
                      {attempt.error ? <span class="error">{attempt.error}</span> : null}
                      {attempt.responseBody ? <pre class="body">{attempt.responseBody}</pre> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </li>
        ))}
      </ol>
    </section>
  );
}
