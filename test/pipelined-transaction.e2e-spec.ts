import { pipelinedTransaction, preparedStatement, sendWithNext } from '@strata/core';
import type { PoolClient } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { createTestEnvironment, TestEnvironment } from './support/test-app';

type Socket = { _write: (...args: unknown[]) => unknown; _writev?: (...args: unknown[]) => unknown };

/**
 * pipelinedTransaction on the app's own pool (real PostgreSQL): what commits, what rolls back,
 * and how many socket writes a content write's shape takes (a statement, then a row sent with COMMIT).
 */
describe('pipelined transactions', () => {
  let environment: TestEnvironment;
  let dataSource: DataSource;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    dataSource = (await environment.start()).app.get(DataSource);
    await dataSource.query('CREATE TABLE pipelined_probe (id int PRIMARY KEY, note text NOT NULL)');
  });
  afterAll(() => environment?.teardown());
  beforeEach(() => dataSource.query('TRUNCATE pipelined_probe'));

  const notes = async () => (await dataSource.query<{ note: string }[]>('SELECT note FROM pipelined_probe ORDER BY id')).map((row) => row.note);

  /** Counts the socket writes of the pooled connection the work runs on. */
  async function countingWrites<T>(work: (manager: Parameters<Parameters<typeof pipelinedTransaction>[1]>[0]) => Promise<T>) {
    let writes = 0;
    let socket: Socket | undefined;
    let restore = () => {};
    const result = await pipelinedTransaction(dataSource, async (manager) => {
      socket = (manager.queryRunner as unknown as { databaseConnection: PoolClient & { connection: { stream: Socket } } }).databaseConnection.connection.stream;
      const { _write, _writev } = socket;
      socket._write = function (...args: unknown[]) {
        writes++;
        return _write.apply(this, args);
      };
      if (_writev)
        socket._writev = function (...args: unknown[]) {
          writes++;
          return _writev.apply(this, args);
        };
      restore = () => Object.assign(socket!, { _write, _writev });
      return work(manager);
    }).finally(() => restore());
    return { result, writes };
  }

  it('sends BEGIN with the first statement and a row sent with the next one with COMMIT: two socket writes', async () => {
    const { result, writes } = await countingWrites(async (manager) => {
      const [row] = await manager.query<{ note: string }[]>(`INSERT INTO pipelined_probe VALUES (1, 'statement') RETURNING note`);
      await sendWithNext(manager, `INSERT INTO pipelined_probe VALUES ($1, $2)`, [2, 'sent with commit']);
      return row.note;
    });
    expect(result).toBe('statement');
    expect(writes).toBe(2);
    expect(await notes()).toEqual(['statement', 'sent with commit']);
  });

  it('runs statements in order and answers each its own result', async () => {
    await pipelinedTransaction(dataSource, async (manager) => {
      await sendWithNext(manager, `INSERT INTO pipelined_probe VALUES (1, 'first')`);
      const rows = await manager.query<{ note: string }[]>(`SELECT note FROM pipelined_probe`);
      expect(rows).toEqual([{ note: 'first' }]); // the row sent ahead was written before the SELECT
      await manager.query(`UPDATE pipelined_probe SET note = 'changed' WHERE id = 1`);
    });
    expect(await notes()).toEqual(['changed']);
  });

  it('rolls everything back when a row sent with COMMIT fails, and throws its error', async () => {
    const failure = await pipelinedTransaction(dataSource, async (manager) => {
      await manager.query(`INSERT INTO pipelined_probe VALUES (1, 'kept only if all commit')`);
      await sendWithNext(manager, `INSERT INTO pipelined_probe VALUES (1, 'a duplicate key')`);
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as { code?: string }).code).toBe('23505');
    expect(await notes()).toEqual([]);
    // The connection went back to the pool usable, outside any transaction.
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('fails the statement a row sent ahead of it failed before, with that row error', async () => {
    const failure = await pipelinedTransaction(dataSource, async (manager) => {
      await sendWithNext(manager, `INSERT INTO pipelined_probe VALUES (1, NULL)`);
      await manager.query(`INSERT INTO pipelined_probe VALUES (2, 'after')`);
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as { code?: string }).code).toBe('23502'); // not-null violation, not "transaction aborted"
    expect(await notes()).toEqual([]);
  });

  it('rolls back when the work throws', async () => {
    await expect(
      pipelinedTransaction(dataSource, async (manager) => {
        await manager.query(`INSERT INTO pipelined_probe VALUES (1, 'written, then rolled back')`);
        await sendWithNext(manager, `INSERT INTO pipelined_probe VALUES (2, 'never sent')`);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(await notes()).toEqual([]);
  });

  it('makes nested transactions savepoints, as TypeORM does', async () => {
    await pipelinedTransaction(dataSource, async (manager) => {
      await manager.query(`INSERT INTO pipelined_probe VALUES (1, 'outer')`);
      await manager
        .transaction(async (inner) => {
          await inner.query(`INSERT INTO pipelined_probe VALUES (2, 'inner')`);
          throw new Error('inner fails');
        })
        .catch(() => undefined);
    });
    expect(await notes()).toEqual(['outer']);
  });

  it("tells TypeORM's subscribers of the transaction as TypeORM's own transactions do", async () => {
    const seen: string[] = [];
    const note = (event: string) => (payload: { queryRunner: { isTransactionActive: boolean } }) =>
      void seen.push(`${event}:${payload.queryRunner.isTransactionActive}`);
    const subscriber = {
      afterTransactionStart: note('started'),
      beforeTransactionCommit: note('committing'),
      afterTransactionCommit: note('committed'),
      beforeTransactionRollback: note('rolling back'),
      afterTransactionRollback: note('rolled back'),
    };
    dataSource.subscribers.push(subscriber);
    try {
      await pipelinedTransaction(dataSource, (manager) => manager.query(`INSERT INTO pipelined_probe VALUES (1, 'committed')`));
      await pipelinedTransaction(dataSource, async (manager) => {
        await manager.query(`INSERT INTO pipelined_probe VALUES (2, 'rolled back')`);
        throw new Error('the work failed');
      }).catch(() => undefined);
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }
    expect(seen).toEqual(['started:true', 'committing:true', 'committed:false', 'started:true', 'rolling back:true', 'rolled back:false']);
    expect(await notes()).toEqual(['committed']);
  });

  it('sends a statement marked prepared as a named statement, parsed once per connection', async () => {
    const insert = preparedStatement('INSERT INTO pipelined_probe VALUES ($1, $2) RETURNING note');
    const statements = await pipelinedTransaction(dataSource, async (manager) => {
      for (const id of [1, 2]) expect(await manager.query(insert, [id, `prepared ${id}`])).toEqual([{ note: `prepared ${id}` }]);
      await sendWithNext(manager, insert, [3, 'prepared, sent with commit']);
      return manager.query<{ name: string }[]>('SELECT name FROM pg_prepared_statements WHERE statement = $1', [insert]);
    });
    expect(statements).toEqual([{ name: expect.stringMatching(/^strata_[0-9a-f]{20}$/) }]);
    expect(await notes()).toEqual(['prepared 1', 'prepared 2', 'prepared, sent with commit']);
  });

  it('sends a statement marked prepared as a named statement outside transactions too, and after one', async () => {
    const select = preparedStatement('SELECT note FROM pipelined_probe WHERE id = $1');
    await dataSource.query(`INSERT INTO pipelined_probe VALUES (1, 'read prepared')`);
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      expect(await runner.query(select, [1])).toEqual([{ note: 'read prepared' }]);
      const named = () => runner.query('SELECT name FROM pg_prepared_statements WHERE statement = $1', [select]);
      expect(await named()).toEqual([{ name: expect.stringMatching(/^strata_[0-9a-f]{20}$/) }]);
    } finally {
      await runner.release();
    }
    // A pipelined transaction puts its connection's query method back as it was when it ends.
    let client: PoolClient | undefined;
    await pipelinedTransaction(dataSource, async (manager) => {
      client = (manager.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
      await manager.query(select, [1]);
    });
    const later = preparedStatement('SELECT id FROM pipelined_probe WHERE note = $1');
    expect((await client!.query(later, ['read prepared'])).rows).toEqual([{ id: 1 }]);
    expect((await client!.query('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [later])).rows).toEqual([{ n: 1 }]);
  });

  it('sends now when the manager is not in a pipelined transaction', async () => {
    await dataSource.transaction((manager) => sendWithNext(manager, `INSERT INTO pipelined_probe VALUES (1, 'plain')`));
    expect(await notes()).toEqual(['plain']);
  });
});
