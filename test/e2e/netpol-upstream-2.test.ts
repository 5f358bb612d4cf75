/**
 * The upstream e2e NetworkPolicy cases through the real kubectl, shard 2 of 3
 * (see netpol-upstream-harness.ts; the shards run on their own clusters, side by side).
 */
import { netpolUpstreamShard } from './netpol-upstream-harness.js';

netpolUpstreamShard(1, 3);
