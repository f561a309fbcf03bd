import { EventEmitter } from 'node:events';
import type { RedisClient } from './redis-keyspace';
import { UNREPLICATED_WINDOW_MS, UnreplicatedWrites } from './unreplicated-writes';

describe('UnreplicatedWrites', () => {
  let now: number;
  let connection: EventEmitter;
  let handedBack: string[][];
  let writes: UnreplicatedWrites<string>;

  beforeEach(() => {
    now = 1_000_000;
    connection = new EventEmitter();
    handedBack = [];
    writes = new UnreplicatedWrites(
      connection as unknown as RedisClient,
      (keys) => handedBack.push(keys),
      () => now,
    );
  });

  it('hands back what was written within the window before the connection was lost, in order, once it is ready again', () => {
    writes.wrote('old');
    now += UNREPLICATED_WINDOW_MS + 500;
    writes.wrote('recent');
    writes.wrote('recent');
    now += 200;
    writes.wrote('last');
    connection.emit('close');
    now += 5_000; // a failover takes seconds: what was written before the loss is kept meanwhile
    connection.emit('ready');
    expect(handedBack).toEqual([['recent', 'recent', 'last']]);
  });

  it('hands back nothing on the first connection, or when nothing was written before the loss', () => {
    connection.emit('ready');
    connection.emit('close');
    connection.emit('ready');
    expect(handedBack).toEqual([]);
  });

  it('starts afresh after a reconnection', () => {
    writes.wrote('before');
    connection.emit('close');
    connection.emit('ready');
    now += 100;
    connection.emit('close');
    connection.emit('ready');
    expect(handedBack).toEqual([['before']]);
  });
});
