import { RelationshipTypeRegistry } from '../types/relationship-type-registry';
import { linkFilter, toLinkView } from './link-view';

const registry = new RelationshipTypeRegistry([
  { name: 'parent', inverse: 'child' },
  { name: 'child', inverse: 'parent' },
  { name: 'related', inverse: 'related' },
]);
const other = { type: 'page' as const, id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' };
const createdAt = new Date('2026-11-22T10:00:00.000Z');

describe('link views', () => {
  it('shows an incoming link with the inverse type and an outgoing one as stored', () => {
    expect(toLinkView({ id: 'a', direction: 'in', storedType: 'parent', other, metadata: {}, createdAt }, 'T', registry)).toMatchObject({
      type: 'child',
      direction: 'in',
    });
    expect(toLinkView({ id: 'b', direction: 'out', storedType: 'parent', other, metadata: {}, createdAt }, 'T', registry)).toMatchObject({
      type: 'parent',
      direction: 'out',
    });
    expect(toLinkView({ id: 'c', direction: 'in', storedType: 'related', other, metadata: {}, createdAt }, null, registry).type).toBe('related');
  });

  it('filters incoming links by the inverse of the asked type', () => {
    expect(linkFilter('both', 'child', registry)).toEqual({ outgoing: { type: 'child' }, incoming: { type: 'parent' } });
    expect(linkFilter('out', undefined, registry)).toEqual({ outgoing: { type: null }, incoming: null });
    expect(linkFilter('in', 'related', registry)).toEqual({ outgoing: null, incoming: { type: 'related' } });
  });

  it('refuses a filter by an unknown type', () => {
    expect(() => linkFilter('both', 'sibling', registry)).toThrow(/not a registered relationship type/);
  });
});
