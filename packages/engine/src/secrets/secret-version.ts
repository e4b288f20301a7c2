/**
 * Secret versions: what state and plans record instead of a secret's value.
 */
import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 of a secret value keyed by `salt` (the state's lineage). A plain hash of a
 * low-entropy secret ("hunter2") could be reversed by guessing; without the lineage, which
 * lives only in this cluster's state, the version reveals nothing.
 */
export function secretVersion(value: string, salt: string): string {
  return createHmac('sha256', salt).update(value, 'utf8').digest('hex');
}
