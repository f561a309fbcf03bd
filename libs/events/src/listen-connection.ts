import type { PoolClient } from 'pg';
/**
 * The relay's LISTEN connection, handed back to the pool exactly once, whichever comes first:
 * its error (a terminated backend emits several: the 57P01 notice, then "Connection
 * terminated"), a failed LISTEN, or shutdown. Releasing a pg client twice throws, and an
 * 'error' event with no listener kills the process, so it keeps a listener that swallows
 * later errors after it let go.
 */
export class ListenConnection {
  lost = false;

  constructor(
    private readonly client: Pick<PoolClient, 'on' | 'removeAllListeners' | 'release'>,
    onNotification: () => void,
    private readonly onLost: (error: Error) => void,
  ) {
    client.on('notification', onNotification);
    client.on('error', (error) => this.lose(error));
  }

  /** The connection broke: the pool destroys it (released with the error), and the owner hears of it. */
  lose(error: Error): void {
    if (!this.release(error)) return;
    this.onLost(error);
  }

  /** Shutdown: back to the pool, quietly. */
  close(): void {
    this.release();
  }

  private release(error?: Error): boolean {
    if (this.lost) return false;
    this.lost = true;
    this.client.removeAllListeners('notification');
    this.client.release(error);
    return true;
  }
}
