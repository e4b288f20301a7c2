/**
 * Stage 2 of synthesis, per Cluster: every resource's graph id (its path below the cluster,
 * joined with "-") and location, and the ids that are invalid or produced twice.
 */
import type { Cluster } from '../tree/cluster.ts';
import type { Resource } from '../tree/resource.ts';
import { isDuplicate, type Entry, type Resolve } from './collect.ts';
import type { Diagnostics } from './diagnostics.ts';

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CLUSTER_ID_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Assigns ids; returns the ids in use (for moved()). */
export function assignIds(cluster: Cluster, mine: readonly Entry[], diags: Diagnostics, resolve: Resolve): ReadonlySet<string> {
  const clusterPath = cluster.node.path;
  if (!CLUSTER_ID_RE.test(cluster.node.id)) {
    diags.report({ code: 'synth.invalid-id', message: `cluster id "${cluster.node.id}" must be lowercase letters, digits and dashes`, constructPath: clusterPath, kind: 'Cluster', location: resolve(cluster.frames), hint: 'Docker object names are derived from it' });
  }
  const seen = new Map<string, Resource>();
  for (const e of mine) {
    const r = e.r;
    const rel = e.path.slice(clusterPath.length + 1);
    const id = rel.includes('/') ? rel.split('/').join('-') : rel;
    e.id = id;
    e.loc = resolve(r.frames);
    if (isDuplicate(e)) continue;
    if (!ID_RE.test(r.node.id)) {
      diags.report({ code: 'synth.invalid-id', message: `construct id "${r.node.id}" may hold only letters, digits, "_", "." and "-", and must start with a letter or digit`, constructPath: e.path, kind: r.kind, location: e.loc, hint: 'runtime object names are derived from construct ids' });
      continue;
    }
    const prev = seen.get(id);
    if (prev) {
      diags.report({ code: 'synth.duplicate-id', message: `resource id "${id}" is produced by both ${prev.node.path} and ${e.path}`, constructPath: e.path, kind: r.kind, location: e.loc, hint: 'rename one of them: ids join the path below the cluster with "-"' });
    }
    seen.set(id, r);
  }
  return new Set(seen.keys());
}
