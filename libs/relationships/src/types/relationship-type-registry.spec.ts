import { ProblemException } from '@strata/core';
import { RelationshipTypeRegistry } from './relationship-type-registry';

const builtIn = new RelationshipTypeRegistry([
  { name: 'parent', inverse: 'child' },
  { name: 'child', inverse: 'parent' },
  { name: 'related', inverse: 'related' },
]);

function statusOf(work: () => unknown): number | undefined {
  try {
    work();
  } catch (error) {
    return (error as ProblemException).getStatus();
  }
  return undefined;
}

describe('RelationshipTypeRegistry', () => {
  it('maps each type to its inverse, both ways, and a symmetric type to itself', () => {
    expect(builtIn.inverseOf('parent')).toBe('child');
    expect(builtIn.inverseOf('child')).toBe('parent');
    expect(builtIn.inverseOf('related')).toBe('related');
  });

  it('answers 422 for an unknown type, naming the known ones', () => {
    expect(builtIn.has('sibling')).toBe(false);
    expect(statusOf(() => builtIn.inverseOf('sibling'))).toBe(422);
    try {
      builtIn.inverseOf('sibling');
    } catch (error) {
      expect((error as ProblemException).errors?.type[0]).toContain('child, parent, related');
    }
  });

  it('registers a pair as two rows and a symmetric type as one', () => {
    expect(builtIn.rowsToRegister('translates', 'translated-by')).toEqual([
      { name: 'translates', inverse: 'translated-by' },
      { name: 'translated-by', inverse: 'translates' },
    ]);
    expect(builtIn.rowsToRegister('sibling', 'sibling')).toEqual([{ name: 'sibling', inverse: 'sibling' }]);
  });

  it('refuses (409) a name or inverse that is already registered', () => {
    expect(statusOf(() => builtIn.rowsToRegister('parent', 'offspring'))).toBe(409);
    expect(statusOf(() => builtIn.rowsToRegister('guardian', 'child'))).toBe(409);
    expect(statusOf(() => builtIn.rowsToRegister('related', 'related'))).toBe(409);
  });

  it('lists types sorted by name', () => {
    expect(builtIn.types().map((row) => row.name)).toEqual(['child', 'parent', 'related']);
  });
});
