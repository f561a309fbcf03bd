import type { PoolClient, QueryResult } from 'pg';
import { DataSource, EntityManager, QueryFailedError, QueryRunner } from 'typeorm';

/** A statement and its parameters. */
interface Statement {
  sql: string;
  parameters?: unknown[];
}

/** What a pipelined transaction's query runner carries while it runs. */
interface OpenTransaction {
  client: PipelineClient;
  /** The client's own query method (the transaction replaces it on the client while it runs). */
  query: QueryFunction;
  /** Statements waiting to leave with the next one. */
  ahead: Statement[];
  /** BEGIN has been written: a failure must be rolled back... */
  begun: boolean;
  /** ...unless COMMIT has been written too. */
  ended: boolean;
}

/** The parts of a node-postgres client in pipeline mode this file uses (`pipeline` and the socket are not in its types). */
type PipelineClient = PoolClient & { pipeline?: boolean; connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } };

type QueryFunction = (sql: string, parameters?: unknown[]) => Promise<QueryResult>;

const open = new WeakMap<QueryRunner, OpenTransaction>();

/**
 * A transaction in two round trips to PostgreSQL instead of four for the usual content write
 * (one statement and an outbox row): `BEGIN` leaves in the same socket write as the first
 * statement, and statements whose results nobody waits for (`sendWithNext`: the outbox row and
 * its NOTIFY) leave with `COMMIT`. Profiled under the Zipf mix (bench/mixed.js), each socket write
 * to PostgreSQL cost this process about 110 µs of CPU (waking a server on the same cores is
 * charged to the writer), and a PATCH made four: half of its cost beyond the HTTP work.
 *
 * It needs the pool's clients in node-postgres' pipeline mode (`pipeline: true`, set in
 * postgresOptions), where a query is written at once instead of after the previous reply; each
 * query still ends with its own Sync, so an error is the failing query's own. Without it (a
 * client not in pipeline mode) the work runs in TypeORM's own transaction.
 *
 * Written by hand: TypeORM sends START TRANSACTION and COMMIT as round trips of their own, and
 * node-postgres pipelines only what it is handed in one tick.
 */
export async function pipelinedTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner('master');
  let client: PipelineClient;
  try {
    client = (await runner.connect()) as PipelineClient;
  } catch (error) {
    await runner.release();
    throw error;
  }
  if (!client.pipeline) {
    await runner.release();
    return dataSource.transaction(work);
  }
  // The client's method as the pool set it up (sending marked statements prepared: prepared-statements.ts);
  // the override below replaces it while the transaction runs and is undone at the end.
  const outside = Object.getOwnPropertyDescriptor(client, 'query');
  const original = client.query.bind(client);
  const query: QueryFunction = (sql, parameters) => original(sql, parameters);
  const transaction: OpenTransaction = { client, query, ahead: [{ sql: 'BEGIN' }], begun: false, ended: false };
  // Every statement the work sends (TypeORM's runner calls the client's query with SQL and
  // parameters) takes the ones waiting along.
  client.query = ((sql: unknown, parameters?: unknown, callback?: unknown) => {
    if (typeof sql !== 'string' || typeof parameters === 'function' || callback !== undefined) {
      if (transaction.ahead.length === 0) return original(sql as never, parameters as never, callback as never);
      throw new Error('a pipelined transaction sends statements ahead only with a query given as SQL and parameters');
    }
    if (transaction.ahead.length === 0) return query(sql, parameters as unknown[] | undefined);
    return sendThrowingCause(transaction, { sql, parameters: parameters as unknown[] | undefined });
  }) as typeof client.query;
  open.set(runner, transaction);
  // TypeORM's transaction events go out as its own transactions send them: subscribers (the read
  // floor of ReadConnections) query through this runner before the COMMIT and after it.
  const { broadcaster } = runner;
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  const close = () => {
    state.isTransactionActive = false;
    state.transactionDepth = 0;
  };
  try {
    state.isTransactionActive = true;
    await broadcaster.broadcast('BeforeTransactionStart');
    state.transactionDepth = 1; // nested transactions become savepoints, as in TypeORM's own
    await broadcaster.broadcast('AfterTransactionStart');
    const result = await work(runner.manager);
    await broadcaster.broadcast('BeforeTransactionCommit');
    await commit(transaction);
    close();
    await broadcaster.broadcast('AfterTransactionCommit');
    return result;
  } catch (error) {
    if (state.isTransactionActive) await rollBack(transaction, broadcaster, close);
    throw error;
  } finally {
    if (outside) Object.defineProperty(client, 'query', outside);
    else delete (client as Partial<PoolClient>).query;
    open.delete(runner);
    close();
    await runner.release();
  }
}

/**
 * After a failure: ROLLBACK unless nothing was sent yet or the COMMIT was (PostgreSQL answers
 * the COMMIT of a failed transaction with a rollback), between TypeORM's rollback events. A
 * failure here is not thrown: the caller throws the error that caused it, as TypeORM does.
 */
async function rollBack(transaction: OpenTransaction, broadcaster: QueryRunner['broadcaster'], close: () => void): Promise<void> {
  try {
    await broadcaster.broadcast('BeforeTransactionRollback');
    if (transaction.begun && !transaction.ended) await transaction.query('ROLLBACK');
    close();
    await broadcaster.broadcast('AfterTransactionRollback');
  } catch {
    // The connection goes back to the pool; a broken one is dropped there.
  }
}

/**
 * Sends `sql` as part of the transaction `manager` runs: inside a pipelined transaction, with its
 * next statement or its COMMIT (a failure then fails the transaction, which rolls back); anywhere
 * else, now. For statements whose results the caller does not need.
 */
export async function sendWithNext(manager: EntityManager, sql: string, parameters?: unknown[]): Promise<void> {
  const transaction = manager.queryRunner && open.get(manager.queryRunner);
  if (transaction) transaction.ahead.push({ sql, parameters });
  else await manager.query(sql, parameters);
}

/** The first statement of a round trip that failed, and its error (the later ones only say the transaction is aborted). */
class StatementFailure extends Error {
  constructor(
    readonly statement: Statement,
    override readonly cause: unknown,
  ) {
    super(`${statement.sql} failed`);
  }
}

/** COMMIT, with the statements waiting; a failure of one of them is thrown as TypeORM would (QueryFailedError). */
async function commit(transaction: OpenTransaction): Promise<void> {
  transaction.ahead.push({ sql: 'COMMIT' });
  try {
    await send(transaction);
  } catch (error) {
    const { statement, cause } = error as StatementFailure;
    throw new QueryFailedError(statement.sql, statement.parameters, cause as Error);
  }
}

/** `send`, failing as the failed statement did (TypeORM's runner wraps that in its QueryFailedError). */
async function sendThrowingCause(transaction: OpenTransaction, last: Statement): Promise<QueryResult> {
  try {
    return await send(transaction, last);
  } catch (error) {
    throw (error as StatementFailure).cause;
  }
}

/**
 * Writes the statements waiting, then `last` when given, in one socket write (pg corks each
 * query on its own; the cork around them all joins them), and resolves with the last one's
 * result once every one has answered; rejects with the first failure.
 */
async function send(transaction: OpenTransaction, last?: Statement): Promise<QueryResult> {
  const { client, query } = transaction;
  const statements = [...transaction.ahead.splice(0), ...(last ? [last] : [])];
  const stream = client.connection.stream;
  let replies: Array<Promise<QueryResult>>;
  stream.cork();
  try {
    replies = statements.map(({ sql, parameters }) => query(sql, parameters));
  } finally {
    stream.uncork();
  }
  transaction.begun = true;
  if (statements.at(-1)?.sql === 'COMMIT') transaction.ended = true;
  const settled = await Promise.allSettled(replies);
  const failed = settled.findIndex((outcome) => outcome.status === 'rejected');
  if (failed >= 0) throw new StatementFailure(statements[failed], (settled[failed] as PromiseRejectedResult).reason);
  return (settled.at(-1) as PromiseFulfilledResult<QueryResult>).value;
}
