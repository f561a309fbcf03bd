import type { ErrorEmitter } from 'ioredis/built/connectors/AbstractConnector';
import type ConnectorConstructor from 'ioredis/built/connectors/ConnectorConstructor';
import StandaloneConnector, { StandaloneConnectionOptions } from 'ioredis/built/connectors/StandaloneConnector';
import type { RedisAddress } from '../config/redis-topology';

/**
 * Connects a plain (non-cluster) ioredis connection to one node of a Redis Cluster, moving on to
 * the next of the given nodes at every (re)connect. For pub/sub subscribers: a classic PUBLISH on
 * any node of a cluster reaches every node, so one connection to any node hears every channel;
 * and a plain connection emits the same `close`/`ready` events on every topology, which the
 * features use to resubscribe and catch up. (ioredis' own Cluster subscriber moves to another
 * node silently, so the messages lost in the move would go unnoticed.)
 */
export function clusterNodeConnector(nodes: RedisAddress[]): ConnectorConstructor {
  let next = Math.floor(Math.random() * nodes.length);
  return class ClusterNodeConnector extends StandaloneConnector {
    constructor(options: unknown) {
      super(options as StandaloneConnectionOptions);
    }

    connect(onError: ErrorEmitter) {
      const node = nodes[next];
      next = (next + 1) % nodes.length;
      // The connection's options object is the one the base connector reads its address from.
      Object.assign(this.options, node);
      return super.connect(onError);
    }
  };
}
