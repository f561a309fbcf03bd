import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { NETWORK_ERROR_CODES } from '../http/network-errors';

// PostgreSQL SQLSTATE classes that mean "the database is not there right now", not "your input is wrong".
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3])/;
// What node-postgres (pg, pg-pool) says when a connection dies or none can be had in time;
// these errors carry no SQLSTATE, only a message.
const LOST_CONNECTION_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;

/**
 * Whether an error means PostgreSQL (or the connection to it) is unavailable, so the client
 * should retry (503), rather than a bug (500). A backend terminated mid-transaction surfaces
 * in several shapes: the SQLSTATE 57P01 of the statement that was running, pg's "Connection
 * terminated unexpectedly" without a code, or TypeORM refusing further queries on the query
 * runner it released when the connection errored. A server that is shutting down or starting
 * up (a restart, a failover) refuses new connections with SQLSTATE 57P03, raised by pg while
 * connecting, before any statement, so it is no QueryFailedError.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const candidate = error as { code?: unknown; message?: unknown; driverError?: unknown };
  if (error instanceof DatabaseError && UNAVAILABLE_SQLSTATE.test(error.code ?? '')) return true;
  // A socket error under a statement: TypeORM copies the errno code onto its error.
  if (
    error instanceof QueryFailedError &&
    typeof candidate.code === 'string' &&
    (UNAVAILABLE_SQLSTATE.test(candidate.code) || NETWORK_ERROR_CODES.has(candidate.code))
  )
    return true;
  // pg raises these as plain `Error`s; a TypeError or our own error classes never count.
  const raw = error instanceof QueryFailedError ? candidate.driverError : error;
  return raw instanceof Error && Object.getPrototypeOf(raw) === Error.prototype && LOST_CONNECTION_MESSAGE.test(raw.message);
}
