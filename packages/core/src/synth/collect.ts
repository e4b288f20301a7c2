/**
 * Stage 1 of synthesis: the construct tree as synth's working list. One record per resource
 * (rather than a map per fact: synth of a large app spent more time in Map lookups than in
 * building the graph), the Clusters in id order, and the problems found while the program ran.
 */
import type { Construct } from 'constructs';
import type { SourceLocation } from '../errors.ts';
import { isResource } from '../kinds/resource-brand.ts';
import type { RawFrames } from '../private/location.ts';
import { Policy } from '../policy/policy.ts';
import type { App } from '../tree/app.ts';
import { Cluster } from '../tree/cluster.ts';
import type { Resource } from '../tree/resource.ts';
import { cmpStr, type Diagnostics } from './diagnostics.ts';

/** What synth knows of one resource; the stages fill it in as they go. */
export interface Entry {
  readonly r: Resource;
  /** node.path joins the scopes on every read: read once per resource. */
  readonly path: string;
  readonly cluster: Cluster | undefined;
  /** The graph id (ids.ts). */
  id: string;
  /** Where the program created it, in cluster.ts (ids.ts). */
  loc: SourceLocation | undefined;
  /** Validated props, rewritten in place by the later stages; undefined once a stage failed it. */
  props: Record<string, unknown> | undefined;
  /** Graph ids it depends on (references.ts, dependencies.ts). */
  deps: string[];
}

export interface Collected {
  readonly clusters: readonly Cluster[];
  readonly entries: readonly Entry[];
  readonly entryOf: ReadonlyMap<Resource, Entry>;
  /** The program's Policies (checked per cluster after its graph is assembled). */
  readonly policies: readonly Policy[];
}

export type Resolve = (frames: RawFrames) => SourceLocation | undefined;

export function collect(app: App, diags: Diagnostics, resolve: Resolve): Collected {
  for (const p of app.problems) {
    diags.report({ code: p.code, message: p.message, constructPath: p.constructPath, kind: p.kind, property: p.property, location: resolve(p.frames), hint: p.hint });
  }
  // The App made by fallbackApp (a tree without one) has no parameters.
  for (const p of app.params ? [...app.params.problems, ...app.params.unknown()] : []) {
    diags.report({ code: p.code, message: p.message, location: p.location ?? (p.frames ? resolve(p.frames) : undefined), hint: p.hint });
  }
  const all = app.node.findAll();
  const clusters = all.filter(Cluster.isCluster).sort((a, b) => cmpStr(a.node.id, b.node.id));
  if (clusters.length === 0) {
    diags.report({ code: 'synth.no-app', message: 'the program defines no Cluster', hint: "add `new Cluster(app, 'name')` and create resources inside it" });
  }
  const entries: Entry[] = [];
  const entryOf = new Map<Resource, Entry>();
  const policies: Policy[] = [];
  for (const c of all) {
    if (!isResource(c)) {
      if (Policy.isPolicy(c)) policies.push(c);
      continue;
    }
    const r = c as Resource;
    const e: Entry = { r, path: r.node.path, cluster: nearestCluster(r), id: '', loc: undefined, props: undefined, deps: [] };
    entries.push(e);
    entryOf.set(r, e);
    if (!e.cluster) {
      diags.report({ code: 'synth.failed', message: `${r.kind} "${e.path}" is not inside a Cluster`, constructPath: e.path, kind: r.kind, location: resolve(r.frames), hint: 'create it with a Cluster (or a construct inside one) as its scope' });
    }
  }
  return { clusters, entries, entryOf, policies };
}

/** The Cluster nearest above `c` (as Cluster.tryOf, without building the scope list). */
function nearestCluster(c: Construct): Cluster | undefined {
  for (let s: Construct | undefined = c; s; s = s.node.scope) if (Cluster.isCluster(s)) return s;
  return undefined;
}

/** A resource that claimId renamed as a duplicate: reported already, synthesized no further. */
export function isDuplicate(e: Entry): boolean {
  return e.r.node.id.includes('~dup');
}
