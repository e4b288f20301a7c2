/**
 * Builders for planner tests: real programs synthesized by core (so graphs are exactly what
 * the CLI would plan), state "as deployed", and observations.
 */
import { App, Cluster, synthesize, type GraphJson, type SourceReader } from '@berth/core';
import { plan, stateAfter, type Observed, type ObservedReplica, type PlanInput } from '../../packages/engine/src/plan/index.ts';
import { STATE_VERSION, type State } from '../../packages/engine/src/state/index.ts';

export const LINEAGE = '00000000-0000-4000-8000-000000000000';

/** A reader whose build contexts hash to `hashes[context]` (default "v1") and whose files come from `files`. */
export function reader(hashes: Record<string, string> = {}, files: Record<string, string> = {}): SourceReader {
  return {
    readFile: (p) => files[p],
    hashBuildContext: (context) => ({ ok: true, hash: hashes[context] ?? 'v1', files: 3 }),
  };
}

/** Synthesizes one cluster built by `build`. */
export function graphOf(build: (c: Cluster) => void, r: SourceReader = reader(), name = 'shop'): GraphJson {
  const app = new App();
  const c = new Cluster(app, name);
  build(c);
  const { graphs } = synthesize(app, { reader: r });
  const g = graphs[0];
  if (!g) throw new Error('no graph');
  return g;
}

export function emptyState(cluster = 'shop'): State {
  return { stateVersion: STATE_VERSION, lineage: LINEAGE, serial: 0, cluster, resources: {} };
}

/** The state after deploying `graph` from scratch (everything allowed). */
export function deployed(graph: GraphJson, secretVersions?: Record<string, string>, serial = 4): State {
  const input: PlanInput = { graph, state: undefined, ...(secretVersions ? { secretVersions } : {}) };
  return { ...stateAfter(input, plan(input), emptyState(graph.cluster)), serial };
}

/** An observation that matches `state` exactly: every resource present, every replica running. */
export function observedFrom(state: State, kinds: Observed['kinds'] = ['Deployment', 'Service', 'Volume', 'Network', 'Job']): Observed {
  const resources: Record<string, Observed['resources'][string]> = {};
  for (const [id, r] of Object.entries(state.resources)) {
    if (!(kinds as readonly string[]).includes(r.kind)) continue;
    const replicas: ObservedReplica[] = [];
    if (r.kind === 'Deployment') {
      const n = typeof r.props.replicas === 'number' ? r.props.replicas : 1;
      for (let i = 0; i < n; i++) replicas.push({ ordinal: i, node: 'local', containerId: `${id}-c${i}`, specHash: r.replicaHash ?? r.specHash, state: 'running', health: 'healthy' });
    }
    // As the Docker driver reports it: a Deployment's spec label is on its replicas only.
    resources[id] = { kind: r.kind as Observed['kinds'][number], exists: true, ...(r.kind === 'Deployment' ? {} : { specHash: r.specHash }), ...(replicas.length ? { replicas } : {}) };
  }
  return { cluster: state.cluster, kinds, resources };
}

export function byAction(p: { changes: readonly { id: string; action: string }[] }): Record<string, string> {
  return Object.fromEntries(p.changes.map((c) => [c.id, c.action]));
}
