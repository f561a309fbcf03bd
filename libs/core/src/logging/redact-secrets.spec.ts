import { redactSecrets } from './redact-secrets';

describe('redactSecrets', () => {
  it('replaces API keys and webhook secrets, keeping their kind', () => {
    expect(redactSecrets('/api/v1/pages/sk_lwbSxH2KH1B6tUdoB6QInZmI7v6BiJJlb5NC1Tr1')).toBe('/api/v1/pages/sk_[redacted]');
    expect(redactSecrets('a whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw= b')).toBe('a whsec_[redacted] b');
  });

  it('leaves other text alone', () => {
    for (const text of ['/api/v1/pages/0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f', 'task_force', 'sk_short', 'desk_lamp123456789']) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});
