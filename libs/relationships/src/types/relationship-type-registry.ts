import { ProblemException } from '@strata/core';

/** One registered type and the name its links carry when seen from their target. */
export interface RelationshipTypeRow {
  name: string;
  inverse: string;
}

/** Lowercase words joined by `-`: the names are part of URLs and event payloads. */
export const RELATIONSHIP_TYPE_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const RELATIONSHIP_TYPE_MAX_LENGTH = 64;

/**
 * The relationship types and their inverses, as read from the database at one moment. Every
 * type is stored once per direction (`parent` → `child` and `child` → `parent`), a symmetric
 * type once (`related` → `related`), so the inverse of any registered name is one lookup.
 */
export class RelationshipTypeRegistry {
  private readonly inverses: ReadonlyMap<string, string>;

  constructor(rows: readonly RelationshipTypeRow[]) {
    this.inverses = new Map(rows.map((row) => [row.name, row.inverse]));
  }

  has(name: string): boolean {
    return this.inverses.has(name);
  }

  /** The inverse of a registered type; a 422 problem for an unknown one. */
  inverseOf(name: string): string {
    const inverse = this.inverses.get(name);
    if (inverse === undefined) throw unknownType(name, 'type', [...this.inverses.keys()]);
    return inverse;
  }

  /** Every registered type, by name. */
  types(): RelationshipTypeRow[] {
    return [...this.inverses].map(([name, inverse]) => ({ name, inverse })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * The rows that register `name` with `inverse` (two, or one for a symmetric type). Either
   * name being taken already is a 409: a type never changes its inverse once links may use it.
   */
  rowsToRegister(name: string, inverse: string): RelationshipTypeRow[] {
    for (const taken of new Set([name, inverse])) {
      if (this.inverses.has(taken)) {
        throw ProblemException.conflict(`The relationship type "${taken}" is already registered (its inverse is "${this.inverses.get(taken)}").`);
      }
    }
    return name === inverse
      ? [{ name, inverse }]
      : [
          { name, inverse },
          { name: inverse, inverse: name },
        ];
  }
}

export function unknownType(name: string, field: string, known: string[]): ProblemException {
  return ProblemException.unprocessable(`"${name}" is not a registered relationship type.`, {
    [field]: [`${field} must be one of: ${known.sort().join(', ')} (register more at POST /api/v1/relationships/types)`],
  });
}
