import { PrivateRedisSentinel } from '../support/private-redis-sentinel';
import { describeRedisTopologyFlows } from './redis-topology-flows';

// A Sentinel group of three Sentinels, a master and two replicas; the failover is SENTINEL FAILOVER.
describeRedisTopologyFlows('Sentinel', async () => {
  const group = await PrivateRedisSentinel.start();
  return {
    env: { REDIS_SENTINELS: group.sentinels, REDIS_SENTINEL_NAME: group.masterName },
    failover: async () => void (await group.failover()),
    stop: () => group.stop(),
  };
});
