import { PrivateRedisCluster } from '../support/private-redis-cluster';
import { describeRedisTopologyFlows } from './redis-topology-flows';

// Three masters with a replica each; the failover is CLUSTER FAILOVER on the replica of the master that holds the limited key.
describeRedisTopologyFlows('Cluster', async () => {
  const cluster = await PrivateRedisCluster.start();
  return {
    env: { REDIS_CLUSTER_NODES: cluster.seedNodes },
    failover: async (key) => void (await cluster.failoverMasterOf(key)),
    stop: () => cluster.stop(),
  };
});
