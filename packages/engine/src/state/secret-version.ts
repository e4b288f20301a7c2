/**
 * Secret versions: what state and plans record instead of a secret's value.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { STATE_VERSION, type State } from './schema.ts';

/**
 * HMAC-SHA256 of a secret value keyed by `salt` (the state's lineage). A plain hash of a
 * low-entropy secret ("hunter2") could be reversed by guessing; without the lineage, which
 * lives only in this cluster's state, the version reveals nothing.
 */
export function secretVersion(value: string, salt: string): string {
  return createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}

/** An empty state for a cluster deployed for the first time, with a fresh lineage. */
export function newState(cluster: string): State {
  return { stateVersion: STATE_VERSION, lineage: randomUUID(), serial: 0, cluster, resources: {} };
}
