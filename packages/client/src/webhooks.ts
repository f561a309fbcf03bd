/**
 * Webhook signature verification: Strata signs deliveries as Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`, secrets `whsec_…`), so the reference
 * library verifies them; re-exported so one dependency gives both.
 *
 *   const event = new Webhook(secret).verify(rawBody, headers); // throws WebhookVerificationError
 *
 * Verify the raw body exactly as received, before any JSON parsing.
 */
export { Webhook, WebhookVerificationError } from 'standardwebhooks';
