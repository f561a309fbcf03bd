import type { ErrorEmitter } from 'ioredis/built/connectors/AbstractConnector';
import SentinelConnector, { SentinelConnectionOptions } from 'ioredis/built/connectors/SentinelConnector';
import type { NetStream } from 'ioredis/built/types';

/** The part of ioredis' SentinelConnector this subclass reaches (private in its typings). */
interface WithFailoverDetector {
  failoverDetector: { cleanup(): void } | null;
}

/**
 * ioredis' Sentinel connector, whose failover detector (one subscriber connection per Sentinel,
 * listening for +switch-master) is let go whenever the connection to the master closes.
 * ioredis (5.x) releases it only on `disconnect()`: a connection closed with `quit()`, as BullMQ
 * closes its own, leaves those subscribers connected, and once the Sentinels are gone they try
 * to reconnect every minute forever, so a process (an app closed gracefully, a test run) never
 * exits (ioredis issue 1362). A new detector is made on every (re)connect anyway, so nothing is
 * lost by letting the old one go when its connection closes.
 */
export class SentinelConnectorReleasingDetector extends SentinelConnector {
  constructor(options: unknown) {
    super(options as SentinelConnectionOptions);
  }

  async connect(eventEmitter: ErrorEmitter): Promise<NetStream> {
    const stream = await super.connect(eventEmitter);
    // The detector is made once this stream connects; by the time it closes, it is this one.
    stream.once('close', () => {
      const self = this as unknown as WithFailoverDetector;
      self.failoverDetector?.cleanup();
      self.failoverDetector = null;
    });
    return stream;
  }
}
