import { PrivateRedisSentinel } from '../support/private-redis-sentinel';
import { describeRedisTopologyFlows } from './redis-topology-flows';

// A Sentinel group of three Sentinels, a master and two replicas; the failover is SENTINEL FAILOVER, the crash a SIGKILL of
// the master (the Sentinels promote a replica after down-after-milliseconds, 1 s).
describeRedisTopologyFlows('Sentinel', async () => {
  const group = await PrivateRedisSentinel.start();
  return {
    env: { REDIS_SENTINELS: group.sentinels, REDIS_SENTINEL_NAME: group.masterName },
    failover: async () => void (await group.failover()),
    killMaster: async () => void (await group.killMaster()),
    settle: () => group.untilReplicated(),
    stop: () => group.stop(),
  };
});
