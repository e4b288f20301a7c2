import type { ClusterState } from '../state.ts';
import { clampScore, type Scorer } from './scorer.ts';

/**
 * Share of the node already used, averaged over cpu and memory. Measured before the
 * replica lands (unlike least-allocated) so that all empty nodes tie and the stable
 * order, largest node first, decides which one to open: that is what keeps the node
 * count near the bound on mixed capacities.
 */
export function mostAllocatedScore(state: ClusterState, i: number): number {
  const cc = state.capCpu[i]!;
  const cm = state.capMem[i]!;
  const uc = cc > 0 ? (cc - state.freeCpu[i]!) / cc : 1;
  const um = cm > 0 ? (cm - state.freeMem[i]!) / cm : 1;
  return clampScore(50 * uc + 50 * um);
}

/** binpack: fill the fullest node first, so whole nodes stay empty (to scale down or for big replicas). */
export const mostAllocated: Scorer = {
  name: 'most-allocated',
  score(_replica, i, { state }) {
    return mostAllocatedScore(state, i);
  },
};
