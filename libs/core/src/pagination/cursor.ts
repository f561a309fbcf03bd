import { ProblemException } from '../http/problem.exception';

/** Where a keyset page ends: the sort it was taken with, that sort's value and the row id. */
export interface Cursor {
  sort: string;
  value: string | number;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: base64url of a small JSON tuple. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id])).toString('base64url');
}

/**
 * Reads a cursor a client sent back. Anything that we did not write — bad base64, bad JSON,
 * a non-UUID id, or a cursor taken with another sort — is a 400, never a query.
 */
export function decodeCursor(raw: string, expectedSort: string): Cursor {
  const invalid = () => ProblemException.badRequest('The cursor is invalid; use the nextCursor of a previous page.', { cursor: ['invalid cursor'] });
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(raw)) throw invalid();
  let tuple: unknown;
  try {
    tuple = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(tuple) || tuple.length !== 3) throw invalid();
  const [sort, value, id] = tuple as unknown[];
  if (sort !== expectedSort) {
    throw ProblemException.badRequest('The cursor was issued for another sort order.', { cursor: [`cursor belongs to sort "${String(sort)}"`] });
  }
  const valueOk = (typeof value === 'string' && value.length <= 600) || (typeof value === 'number' && Number.isFinite(value));
  if (!valueOk || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  return { sort, value, id };
}
