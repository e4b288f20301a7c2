/**
 * Stage 5 of synthesis, per Cluster: the dependency edges besides references
 * (`addDependency`), in sorted order, and the cycles among them, each reported with its path
 * through the graph (`prod/web → prod/api → prod/web`).
 */
import type { ResourceJson } from '../graph/schema.ts';
import type { Cluster } from '../tree/cluster.ts';
import type { Resource } from '../tree/resource.ts';
import type { Entry, Resolve } from './collect.ts';
import type { Diagnostics } from './diagnostics.ts';

/** Adds `addDependency()` edges to each valid resource of `mine`, then sorts its edges. */
export function addExplicitDeps(cluster: Cluster, mine: readonly Entry[], entryOf: ReadonlyMap<Resource, Entry>): void {
  for (const e of mine) {
    if (!e.props) continue;
    for (const d of e.r.explicitDeps) {
      const de = entryOf.get(d);
      const tid = de?.cluster === cluster ? de.id : undefined;
      if (tid && tid !== e.id && !e.deps.includes(tid)) e.deps.push(tid);
    }
    if (e.deps.length > 1) e.deps.sort();
  }
}

/** Reports every cycle among `res` (the cluster's resources in id order) once. */
export function checkCycles(res: readonly ResourceJson[], find: (id: string) => Resource | undefined, diags: Diagnostics, resolve: Resolve): void {
  const deps = new Map(res.map((r) => [r.id, r.dependsOn]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 1);
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      if (!deps.has(d)) continue;
      const s = state.get(d);
      if (s === 1) {
        const cycle = [...stack.slice(stack.indexOf(d)), d];
        const key = [...new Set(cycle)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const first = find(d);
          const paths = cycle.map((c) => find(c)?.node.path ?? c);
          diags.report({ code: 'synth.cycle', message: `dependency cycle: ${paths.join(' → ')}`, constructPath: first?.node.path, kind: first?.kind, location: first ? resolve(first.frames) : undefined, hint: 'break the cycle: one of these must not depend on the other' });
        }
      } else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(id, 2);
  };
  for (const r of res) if (!state.has(r.id)) visit(r.id);
}
