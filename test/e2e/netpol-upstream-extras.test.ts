/**
 * kwire's extra NetworkPolicy cases in the upstream style (endPort ranges, egress
 * named ports, additive ipBlocks, policyTypes defaulting by the API server, label
 * changes) through the real kubectl and agnhost probes, as netpol-upstream.test.ts.
 */
import { netpolUpstreamShard } from './netpol-upstream-harness.js';

netpolUpstreamShard('kwire', 0, 1);
