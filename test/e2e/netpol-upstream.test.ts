/**
 * The upstream e2e NetworkPolicy cases through the real kubectl, first half
 * (see netpol-upstream-harness.ts; the halves run on their own clusters, side by side).
 */
import { netpolUpstreamShard } from './netpol-upstream-harness.js';

netpolUpstreamShard('upstream', 0, 2);
