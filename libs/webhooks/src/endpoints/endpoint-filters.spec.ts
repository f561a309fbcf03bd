import { passesEndpointFilters } from './endpoint-filters';

describe('passesEndpointFilters', () => {
  it('lets everything through without a tag filter', () => {
    expect(passesEndpointFilters({}, { tags: ['news'] })).toBe(true);
    expect(passesEndpointFilters({ tags: [] }, { tags: [] })).toBe(true);
  });

  it('keeps tagged items that carry one of the tags, exactly', () => {
    expect(passesEndpointFilters({ tags: ['blog', 'news'] }, { tags: ['other', 'news'] })).toBe(true);
    expect(passesEndpointFilters({ tags: ['blog'] }, { tags: ['Blog', 'blogs'] })).toBe(false);
    expect(passesEndpointFilters({ tags: ['blog'] }, { tags: [] })).toBe(false);
  });

  it('leaves events without tags (relationships, operational events) to the event patterns', () => {
    expect(passesEndpointFilters({ tags: ['blog'] }, { endpointId: 'x', url: 'https://example.com' })).toBe(true);
    expect(passesEndpointFilters({ tags: ['blog'] }, null)).toBe(true);
  });
});
