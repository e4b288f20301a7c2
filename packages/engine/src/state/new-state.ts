import { randomUUID } from 'node:crypto';
import { STATE_VERSION, type State } from './schema.ts';

/** An empty state for a cluster deployed for the first time, with a fresh lineage. */
export function newState(cluster: string): State {
  return { stateVersion: STATE_VERSION, lineage: randomUUID(), serial: 0, cluster, resources: {} };
}
