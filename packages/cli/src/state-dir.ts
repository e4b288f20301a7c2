/**
 * Commands that work from state alone (history, rollback, promote/abort): they need no program,
 * only the `.berth` folder beside where cluster.ts is (or was) and the cluster's name.
 */
import { dirname, resolve } from 'node:path';
import { BerthError } from '@berth/core';
import type { LocalStateStore } from '@berth/engine';
import { stateStore } from './session.ts';

export interface StateDir {
  readonly appDir: string;
  readonly store: LocalStateStore;
  readonly clusters: readonly string[];
}

/** `.berth` beside `--app` (default ./cluster.ts, which need not exist); `--cluster` or every cluster with state there. */
export async function openStateDir(cwd: string, app: string | undefined, cluster: string | undefined): Promise<StateDir> {
  const appDir = dirname(resolve(cwd, app ?? 'cluster.ts'));
  const store = stateStore(appDir, cwd);
  const all = await store.clusters();
  if (all.length === 0) {
    throw new BerthError('cli.usage', `no deployed cluster: ${store.location} holds no state`, { hint: 'run berth where cluster.ts is (or pass --app), after a berth deploy' });
  }
  if (cluster !== undefined && !all.includes(cluster)) {
    throw new BerthError('cli.usage', `no state for cluster "${cluster}" in ${store.location}`, { hint: `clusters with state: ${all.join(', ')}` });
  }
  return { appDir, store, clusters: cluster !== undefined ? [cluster] : all };
}
