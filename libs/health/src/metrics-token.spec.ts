import { bearerTokenMatches } from './metrics-token';

describe('bearerTokenMatches', () => {
  const token = 'scrape-0123456789abcdef';

  it('accepts the token as a bearer credential', () => {
    expect(bearerTokenMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerTokenMatches(`bearer ${token}`, token)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const header of [undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, `Bearer  ${token}`, 'Bearer ']) {
      expect([header, bearerTokenMatches(header, token)]).toEqual([header, false]);
    }
  });
});
