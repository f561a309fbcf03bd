import { isEventPattern, matchesEventPatterns } from './event-types';

describe('event patterns', () => {
  it('accepts exact types, resource wildcards and *', () => {
    for (const pattern of ['*', 'page.*', 'media.uploaded', 'relationship.*', 'webhook.ping', 'webhook.endpoint.*', 'webhook.endpoint.disabled'])
      expect(isEventPattern(pattern)).toBe(true);
  });

  it('refuses unknown types and partial wildcards', () => {
    for (const pattern of ['page', 'page.published', 'pages.*', '*.created', 'page.c*', '', '**', 'webhook.ping.*', 'endpoint.*'])
      expect(isEventPattern(pattern)).toBe(false);
  });

  it('matches by exact name, by resource and for everything', () => {
    expect(matchesEventPatterns(['page.*'], 'page.updated')).toBe(true);
    expect(matchesEventPatterns(['page.*'], 'module.updated')).toBe(false);
    expect(matchesEventPatterns(['media.uploaded'], 'media.uploaded')).toBe(true);
    expect(matchesEventPatterns(['media.uploaded'], 'media.deleted')).toBe(false);
    expect(matchesEventPatterns(['*'], 'relationship.created')).toBe(true);
    expect(matchesEventPatterns([], 'page.created')).toBe(false);
  });
});
