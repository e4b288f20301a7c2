/**
 * Secret versions: what state and plans record instead of a secret's value.
 */
import { createHmac } from 'node:crypto';
import type { State } from '../state/schema.ts';

/**
 * HMAC-SHA256 of a secret value under `key`: the cluster's secret-version key, which the state
 * store keeps outside the state document (`StateStore.secretKey`). A plain hash of a
 * low-entropy secret ("hunter2") could be reversed by guessing; so could an HMAC whose key sits
 * beside it, as the state's lineage did before (docs/adr/0010-secret-hmac-key.md).
 */
export function secretVersion(value: string, key: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/**
 * State written before the key moved out records versions keyed by its lineage. Each one whose
 * value is readable now and still matches is rewritten under the new key, so the upgrade shows
 * no false secret change and rolls nothing; once the state is written again, no version keyed
 * by something in the file is left in it. Values not readable now stay as they are (and are
 * migrated whenever they are read). Pure; returns `state` itself when nothing matched.
 */
export function migrateSecretVersions(state: State, values: ReadonlyMap<string, string>, key: string): State {
  const legacy = new Map<string, { old: string; now: string }>();
  for (const [id, v] of values) legacy.set(id, { old: secretVersion(v, state.lineage), now: secretVersion(v, key) });
  let changed = false;
  const resources: Record<string, State['resources'][string]> = {};
  for (const [rid, r] of Object.entries(state.resources)) {
    if (!r.secretVersions) {
      resources[rid] = r;
      continue;
    }
    const next: Record<string, string> = {};
    let touched = false;
    for (const [sid, ver] of Object.entries(r.secretVersions)) {
      const l = legacy.get(sid);
      if (l && ver === l.old && l.old !== l.now) {
        next[sid] = l.now;
        touched = true;
      } else next[sid] = ver;
    }
    resources[rid] = touched ? { ...r, secretVersions: next } : r;
    changed ||= touched;
  }
  return changed ? { ...state, resources } : state;
}
