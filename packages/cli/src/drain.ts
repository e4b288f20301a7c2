/**
 * The drain set lives in the cluster's state (`drained`), written under the state lock. berth
 * before 0.x kept it in a loose `.berth/<cluster>.drain.json`: that file is read until a command
 * holding the lock moves it into state, once, and removes it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { newState, type State, type StateLock, type StateStore } from '@berth/engine';

function legacyFile(appDir: string, cluster: string): string {
  return join(appDir, '.berth', `${cluster}.drain.json`);
}

/** The drained nodes of an old drain file; undefined when there is none. */
export function legacyDrained(appDir: string, cluster: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(legacyFile(appDir, cluster), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as { drained?: unknown };
    return Array.isArray(v.drained) ? [...new Set(v.drained.filter((x): x is string => typeof x === 'string'))].sort() : [];
  } catch {
    return [];
  }
}

/** `state` with `nodes` as its drain set (absent when empty). */
export function withDrained(state: State, nodes: Iterable<string>): State {
  const drained = [...new Set(nodes)].sort();
  const { drained: _old, ...rest } = state;
  return drained.length > 0 ? { ...rest, drained } : rest;
}

/**
 * Moves an old drain file into state (written under `lock`) and removes the file; returns the
 * state as now stored. Without a drain file, `state` is returned as it is.
 */
export async function migrateDrainFile(appDir: string, store: StateStore, lock: StateLock, state: State | undefined): Promise<State | undefined> {
  const old = legacyDrained(appDir, lock.cluster);
  if (old === undefined) return state;
  // A drain set already in state is newer than any drain file.
  const next = state?.drained !== undefined ? state : await store.write(lock, withDrained(state ?? newState(lock.cluster), old));
  rmSync(legacyFile(appDir, lock.cluster), { force: true });
  return next;
}
