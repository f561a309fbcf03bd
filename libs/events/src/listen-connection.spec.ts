import { EventEmitter } from 'node:events';
import { ListenConnection } from './listen-connection';

/** A pooled client's surface as the pool gives it: `release` throws when called twice, as pg-pool's does. */
class FakePoolClient extends EventEmitter {
  releases: Array<Error | undefined> = [];
  release(error?: Error | boolean): void {
    if (this.releases.length) throw new Error('Release called on client which has already been released to the pool.');
    this.releases.push(error instanceof Error ? error : undefined);
  }
}

describe('ListenConnection', () => {
  const setUp = () => {
    const client = new FakePoolClient();
    const lost: Error[] = [];
    const notified: number[] = [];
    const connection = new ListenConnection(
      client as never,
      () => notified.push(1),
      (error) => lost.push(error),
    );
    return { client, lost, notified, connection };
  };

  it('releases a broken connection once, with its error, however many errors it emits', () => {
    const { client, lost, connection } = setUp();
    const terminated = new Error('terminating connection due to administrator command');
    client.emit('error', terminated);
    client.emit('error', new Error('Connection terminated unexpectedly'));
    connection.lose(new Error('LISTEN failed'));
    expect(client.releases).toEqual([terminated]);
    expect(lost).toEqual([terminated]);
    expect(connection.lost).toBe(true);
  });

  it('after shutdown released it, a late error neither releases it again nor reports a loss', () => {
    const { client, lost, connection } = setUp();
    connection.close();
    expect(() => client.emit('error', new Error('Connection terminated'))).not.toThrow();
    expect(client.releases).toEqual([undefined]);
    expect(lost).toEqual([]);
  });

  it('passes notifications on until it lets go of the connection', () => {
    const { client, notified, connection } = setUp();
    client.emit('notification', {});
    connection.close();
    client.emit('notification', {});
    expect(notified).toHaveLength(1);
  });
});
