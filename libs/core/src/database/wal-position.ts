/**
 * A position in PostgreSQL's write-ahead log (a `pg_lsn` such as `16/B374D848`) as a bigint,
 * so positions compare exactly. Every commit on the primary ends at some position; a replica
 * that has replayed up to a position shows every commit that ended at or before it.
 */
export type WalPosition = bigint;

const PG_LSN = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i;

export function parseWalPosition(text: string): WalPosition {
  const match = PG_LSN.exec(text);
  if (!match) throw new Error(`not a pg_lsn: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** 16 hex digits, zero-padded: two such strings compare as their positions do (used in Redis). */
export function walPositionKey(position: WalPosition): string {
  return position.toString(16).padStart(16, '0');
}

export function walPositionFromKey(key: string): WalPosition {
  return BigInt(`0x${key}`);
}
