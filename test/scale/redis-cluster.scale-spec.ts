import { PrivateRedisCluster } from '../support/private-redis-cluster';
import { describeRedisTopologyFlows } from './redis-topology-flows';

// Three masters with a replica each; the failover is CLUSTER FAILOVER on the replica of the master that holds the limited key,
// the crash a SIGKILL of that master (its replica promotes itself after cluster-node-timeout, 2 s).
describeRedisTopologyFlows('Cluster', async () => {
  const cluster = await PrivateRedisCluster.start();
  return {
    env: { REDIS_CLUSTER_NODES: cluster.seedNodes },
    failover: async (key) => void (await cluster.failoverMasterOf(key)),
    killMaster: async (key) => void (await cluster.killMasterOf(key)),
    settle: () => cluster.untilConsistent(),
    stop: () => cluster.stop(),
  };
});
