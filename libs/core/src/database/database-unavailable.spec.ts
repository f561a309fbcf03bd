import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

const queryFailed = (driverError: Error & { code?: string }) => Object.assign(new QueryFailedError('SELECT 1', [], driverError), { code: driverError.code });

describe('isDatabaseUnavailable', () => {
  it('recognises a lost or unobtainable connection in each shape pg and TypeORM give it', () => {
    expect(isDatabaseUnavailable(queryFailed(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })))).toBe(true);
    expect(isDatabaseUnavailable(queryFailed(new Error('Connection terminated unexpectedly')))).toBe(true);
    expect(isDatabaseUnavailable(queryFailed(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    // Refused while connecting, by a server that is shutting down or starting up.
    expect(isDatabaseUnavailable(Object.assign(new DatabaseError('the database system is starting up', 0, 'error'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
  });

  it('leaves input errors and bugs alone', () => {
    expect(isDatabaseUnavailable(queryFailed(Object.assign(new Error('duplicate key'), { code: '23505' })))).toBe(false);
    expect(isDatabaseUnavailable(queryFailed(new Error('syntax error at or near "x"')))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new DatabaseError('permission denied for table pages', 0, 'error'), { code: '42501' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('Connection terminated is not a function'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
