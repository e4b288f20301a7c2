/**
 * The shared front half of diff, deploy, destroy and status: load the program, open the
 * cluster's state, read secret values, observe the live system and plan.
 */
import { join } from 'node:path';
import { BerthError, type GraphJson, type ResolvedParam } from '@berth/core';
import type { ParamFlags } from './load/params.ts';
import { LocalStateStore, migrateSecretVersions, newState, plan, type NodeStatus, type Observed, type Plan, type State, type StateLock, type Target } from '@berth/engine';
import { migrateDrainFile, legacyDrained } from './drain.ts';
import type { CommandContext } from './context.ts';
import { readSecrets, type SecretValues } from './load/secrets.ts';
import { synthApp } from './load/synth-app.ts';
import { writeWarnings } from './render/diagnostics.ts';
import { checkTarget, targetFor } from './target.ts';

export interface ClusterSession {
  readonly graph: GraphJson;
  readonly appDir: string;
  readonly store: LocalStateStore;
  /** Recorded state, or a fresh one (serial 0) for a cluster never deployed. */
  readonly state: State;
  readonly deployedBefore: boolean;
  readonly secrets: SecretValues;
  /** The Cluster's target, opened when the session observes (undefined with --no-observe). */
  readonly target: Target | undefined;
  readonly observed: Observed | undefined;
  /** Everything decided: changes, and (when observed) where every replica goes and why. */
  readonly plan: Plan;
  /** The nodes, as observed (empty when not observed). */
  readonly nodes: readonly NodeStatus[];
  /** Held when the session was opened for a change (deploy, destroy); release with `closeSessions`. */
  readonly lock: StateLock | undefined;
  /** The program's parameters (values and where each came from). */
  readonly params: Readonly<Record<string, ResolvedParam>>;
}

export interface SessionOptions {
  readonly app: string | undefined;
  /** Only this cluster (when the program has several). */
  readonly cluster?: string | undefined;
  /** Talk to the runtime (observe drift). diff may skip it with --no-observe. */
  readonly observe: boolean;
  readonly allowDeleteVolumes?: readonly string[];
  /** Take the cluster's lock (before reading state) for this operation. */
  readonly lock?: string;
  /** Remove a stale lock first (`--force-unlock`). */
  readonly forceUnlock?: boolean;
  /** Kubernetes: take over fields another field manager owns (`deploy --force-conflicts`). */
  readonly forceConflicts?: boolean;
  /** Evict lower-priority replicas when a higher-priority one does not fit (`--preempt`). */
  readonly allowPreemption?: boolean;
  /** `--set` and `--env`. */
  readonly params?: ParamFlags;
}

export function stateStore(appDir: string, cwd: string): LocalStateStore {
  return new LocalStateStore({ dir: join(appDir, '.berth'), displayBase: cwd });
}

export async function openSessions(ctx: CommandContext, opts: SessionOptions): Promise<ClusterSession[]> {
  const { program, graphs, warnings, params } = await synthApp(ctx.cwd, opts.app, opts.params);
  writeWarnings(warnings, ctx.stderr, ctx);
  const chosen = opts.cluster ? graphs.filter((g) => g.cluster === opts.cluster) : graphs;
  if (chosen.length === 0) {
    throw new BerthError('cli.usage', `no cluster "${opts.cluster ?? ''}" in the program`, { hint: `clusters: ${graphs.map((g) => g.cluster).join(', ')}` });
  }
  const store = stateStore(program.appDir, ctx.cwd);
  const out: ClusterSession[] = [];
  try {
    for (const graph of chosen) out.push(await openOne(graph));
  } catch (e) {
    await closeSessions(out);
    throw e;
  }
  return out;

  async function openOne(graph: GraphJson): Promise<ClusterSession> {
    if (opts.forceUnlock) {
      const was = await store.forceUnlock(graph.cluster);
      if (was) ctx.stderr.write(`removed the lock of pid ${was.pid} on ${was.host} (taken ${was.time})\n`);
    }
    // The lock comes before reading state: a plan must be made from the state it will be applied to.
    const lock = opts.lock ? await store.lock(graph.cluster, opts.lock) : undefined;
    try {
      return await planOne(graph, lock);
    } catch (e) {
      if (lock) await store.unlock(lock);
      throw e;
    }
  }

  async function planOne(graph: GraphJson, lock: StateLock | undefined): Promise<ClusterSession> {
    let recorded = await store.read(graph.cluster);
    // The drain set lives in state; a drain file of an older berth is moved there once, under the lock.
    if (lock) recorded = await migrateDrainFile(program.appDir, store, lock, recorded);
    // Without the lock (diff) an old drain file is only read; with it, the migration just removed it.
    const drained = recorded?.drained ?? (lock ? undefined : legacyDrained(program.appDir, graph.cluster));
    // Secret versions are keyed by the store's secret key, never by anything in the state file;
    // versions an older berth keyed by the lineage are rewritten under it when they still match.
    const hasSecrets = graph.resources.some((r) => r.kind === 'Secret');
    const key = hasSecrets ? await store.secretKey(graph.cluster) : '';
    const secrets = readSecrets(graph, program.appDir, ctx.env, key);
    if (recorded) recorded = migrateSecretVersions(recorded, secrets.values, key);
    const state = recorded ?? newState(graph.cluster);
    checkTarget(graph);
    const target = opts.observe ? await targetFor(graph, { env: ctx.env, appDir: program.appDir, ...(opts.forceConflicts ? { forceConflicts: true } : {}) }) : undefined;
    try {
      const seen = target ? await target.observe(ctx.signal) : undefined;
      const observed = seen?.observed;
      const nodes = seen?.nodes;
      const p = plan({
        graph,
        state: recorded,
        ...(observed ? { observed } : {}),
        secretVersions: secrets.versions,
        // A target berth schedules on reports its nodes: the plan then places every replica.
        ...(nodes ? { nodes, ...(drained ? { drained } : {}) } : {}),
        options: { allowDeleteVolumes: opts.allowDeleteVolumes ?? [], allowPreemption: opts.allowPreemption ?? false },
      });
      return { graph, appDir: program.appDir, store, state, deployedBefore: recorded !== undefined, secrets, target, observed, plan: p, lock, nodes: nodes ?? [], params };
    } catch (e) {
      await target?.close();
      throw e;
    }
  }
}

/** Releases the locks and targets of sessions. */
export async function closeSessions(sessions: readonly ClusterSession[]): Promise<void> {
  for (const s of sessions) {
    if (s.lock) await s.store.unlock(s.lock).catch(() => undefined);
    await s.target?.close();
  }
}

/** True when the plan would change anything. */
export function hasChanges(p: Plan): boolean {
  return p.changes.some((c) => c.action !== 'noop');
}
