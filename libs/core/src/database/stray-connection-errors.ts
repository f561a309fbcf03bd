import type { EventEmitter } from 'node:events';

/**
 * Gives every new pooled connection an 'error' listener of its own for its whole life.
 *
 * Why: pg-pool hands a connection to whoever asked for it through a promise, so the borrower
 * (TypeORM's query runner, the outbox relay's LISTEN) attaches its own 'error' listener a
 * microtask later. When PostgreSQL terminates the backend right after it became ready (a
 * restart, a failover, pg_terminate_backend), the ReadyForQuery and the 57P01 error arrive in
 * one socket read and are parsed in one go: the error is emitted in that gap, on a client with
 * no listener, and Node ends the process ("Unhandled 'error' event"). Nothing is lost by
 * listening here: pg has already marked the client unqueryable and failed its queries, the
 * borrower's next query fails as "not queryable" (answered 503), and the pool drops the client
 * when it comes back.
 *
 * Passed as pg-pool's `onConnect` hook, which runs before the connection is first handed out.
 */
export function keepConnectionErrorsHandled(client: EventEmitter): void {
  client.on('error', ignoreStrayConnectionError);
}

function ignoreStrayConnectionError(): void {
  // The borrower or the pool, when listening, handles the same error; see above.
}
