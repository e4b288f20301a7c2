import type { ClusterState } from '../state.ts';
import type { Scorer } from './scorer.ts';

/**
 * Share of the node left free once `count` more replicas of (cpu, memory) land on it,
 * averaged over cpu and memory. Exported bare because the bulk placer calls it per node.
 */
export function leastAllocatedScore(state: ClusterState, i: number, cpu: number, memory: number, count: number): number {
  const s =
    (state.freeCpu[i]! - cpu * count) * state.halfInvCpu[i]! + (state.freeMem[i]! - memory * count) * state.halfInvMem[i]!;
  return s <= 0 ? 0 : s >= 100 ? 100 : s | 0;
}

/** spread: prefer the emptiest node, so load (and the blast radius of a node loss) evens out. */
export const leastAllocated: Scorer = {
  name: 'least-allocated',
  score({ group }, i, { state }) {
    return leastAllocatedScore(state, i, group.cpu, group.memory, 1);
  },
};
