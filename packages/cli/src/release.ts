/**
 * The CLI's part of a release record: who ran it, from where, which commit, and keeping the
 * program it deploys (the graph snapshot a rollback goes back to).
 */
import { spawnSync } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import type { GraphJson } from '@berth/core';
import { basisOf, nextReleaseNumber, summarizeChanges, type Plan, type ReleaseStart, type State, type StateStore } from '@berth/engine';

/** `user@host`; the user from the environment when the OS cannot say (a container without a passwd entry). */
export function whoWhere(env: Readonly<Record<string, string | undefined>>): string {
  let user = env['USER'] ?? env['LOGNAME'];
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid: keep what the environment says
  }
  return `${user ?? 'unknown'}@${hostname()}`;
}

/** `git describe --always --dirty` in the program's folder; undefined when git or a repository is not there. */
export function gitDescribe(dir: string): string | undefined {
  const r = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: dir, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.status !== 0 || typeof r.stdout !== 'string') return undefined;
  const out = r.stdout.trim();
  return out === '' ? undefined : out;
}

/** The head of the release this deploy (or rollback) writes, and its graph kept in the store first. */
export async function beginRelease(opts: {
  readonly store: StateStore;
  readonly graph: GraphJson;
  readonly state: State;
  readonly plan: Plan;
  readonly appDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A rollback: the release it goes back to, and that release's commit. */
  readonly rollbackOf?: { readonly number: number; readonly git?: string | undefined };
}): Promise<ReleaseStart> {
  const graphHash = opts.plan.basis.graphHash || basisOf({ graph: opts.graph, state: undefined }).graphHash;
  // Kept before anything changes: a record never names a program that is not there to go back to.
  await opts.store.writeSnapshot(opts.graph.cluster, graphHash, JSON.stringify(opts.graph));
  // A rollback deploys the old release's program: its commit is that release's.
  const git = opts.rollbackOf === undefined ? gitDescribe(opts.appDir) : opts.rollbackOf.git;
  const { changes, summary } = summarizeChanges(opts.plan.changes);
  return {
    number: nextReleaseNumber(opts.state),
    at: new Date().toISOString(),
    by: whoWhere(opts.env),
    ...(git !== undefined ? { git } : {}),
    kind: opts.rollbackOf === undefined ? 'deploy' : 'rollback',
    ...(opts.rollbackOf !== undefined ? { rollbackOf: opts.rollbackOf.number } : {}),
    graphHash,
    summary,
    changes,
  };
}

/** Removes kept programs no recorded release names any more. */
export async function pruneSnapshots(store: StateStore, state: State): Promise<void> {
  await store.pruneSnapshots(state.cluster, new Set((state.releases ?? []).map((r) => r.graphHash)));
}
