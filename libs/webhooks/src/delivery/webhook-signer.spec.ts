import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signWebhook } from './webhook-signer';

describe('webhook signer', () => {
  const body = JSON.stringify({ id: 'evt_1', type: 'page.created', timestamp: '2026-01-01T00:00:00.000Z', data: { a: 1 } });
  const now = Math.floor(Date.now() / 1000);

  it('produces headers the standardwebhooks verifier accepts', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = signWebhook('evt_1', now, body, [secret]);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('signs with every live secret so either one verifies, and a third one does not', () => {
    const [current, previous, stranger] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
    const headers = signWebhook('evt_1', now, body, [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(stranger).verify(body, { ...headers })).toThrow();
  });

  it('binds the signature to the body', () => {
    const secret = newWebhookSecret();
    const headers = signWebhook('evt_1', now, body, [secret]);
    expect(() => new Webhook(secret).verify(body.replace('page', 'media'), { ...headers })).toThrow();
  });
});
