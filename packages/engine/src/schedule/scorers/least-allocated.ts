import type { ClusterState } from '../state.ts';
import { clampScore, type Scorer } from './scorer.ts';

/**
 * Share of the node left free once `count` more replicas of (cpu, memory) land on it,
 * averaged over cpu and memory. Exported bare because the bulk placer calls it per node.
 */
export function leastAllocatedScore(state: ClusterState, i: number, cpu: number, memory: number, count: number): number {
  const cc = state.capCpu[i]!;
  const cm = state.capMem[i]!;
  const fc = cc > 0 ? (state.freeCpu[i]! - cpu * count) / cc : 0;
  const fm = cm > 0 ? (state.freeMem[i]! - memory * count) / cm : 0;
  return clampScore(50 * fc + 50 * fm);
}

/** spread: prefer the emptiest node, so load (and the blast radius of a node loss) evens out. */
export const leastAllocated: Scorer = {
  name: 'least-allocated',
  score({ group }, i, { state }) {
    return leastAllocatedScore(state, i, group.cpu, group.memory, 1);
  },
};
