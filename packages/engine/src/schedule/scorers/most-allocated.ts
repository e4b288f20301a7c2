import type { ClusterState } from '../state.ts';
import type { Scorer } from './scorer.ts';

/**
 * Share of the node already used, averaged over cpu and memory. Measured before the
 * replica lands (unlike least-allocated) so that all empty nodes tie and the stable
 * order, largest node first, decides which one to open: that is what keeps the node
 * count near the bound on mixed capacities.
 */
export function mostAllocatedScore(state: ClusterState, i: number): number {
  // A zero capacity has halfInv 0 and so counts as full, as it should.
  const s = 100 - state.freeCpu[i]! * state.halfInvCpu[i]! - state.freeMem[i]! * state.halfInvMem[i]!;
  return s <= 0 ? 0 : s >= 100 ? 100 : s | 0;
}

/** binpack: fill the fullest node first, so whole nodes stay empty (to scale down or for big replicas). */
export const mostAllocated: Scorer = {
  name: 'most-allocated',
  score(_replica, i, { state }) {
    return mostAllocatedScore(state, i);
  },
};
