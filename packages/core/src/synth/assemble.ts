/**
 * Stage 8 of synthesis, per Cluster: the graph itself. Each resource that passed every stage
 * becomes a {@link ResourceJson}; `moved()` declarations become the graph's `moved` list.
 */
import type { SourceLocation } from '../errors.ts';
import type { GraphJson, ResourceJson } from '../graph/schema.ts';
import type { Cluster } from '../tree/cluster.ts';
import { movesOf } from '../tree/moved.ts';
import type { Resource } from '../tree/resource.ts';
import type { Entry, Resolve } from './collect.ts';
import { cmpStr, type Diagnostics } from './diagnostics.ts';
import { sortedShallow } from './kind-checks.ts';

type Source = NonNullable<ResourceJson['source']>;

/**
 * One frozen source object per location: a loop makes thousands of resources on one line.
 * Shared by the clusters of one synthesis.
 */
export class Sources {
  private readonly byLoc = new Map<SourceLocation, Source>();
  constructor(private readonly sourceFile: (file: string) => string) {}
  of(loc: SourceLocation): Source {
    let src = this.byLoc.get(loc);
    if (!src) this.byLoc.set(loc, (src = Object.freeze({ column: loc.column, file: this.sourceFile(loc.file), line: loc.line })));
    return src;
  }
}

/** The cluster's resources, in id order. */
export function resourcesOf(mine: readonly Entry[], sources: Sources): ResourceJson[] {
  const out: ResourceJson[] = [];
  for (const e of mine) {
    let props = e.props;
    if (!props) continue;
    const kind = e.r.kind;
    // The kind stages may have added top-level props; the graph keeps keys sorted.
    if (kind === 'Service' || kind === 'ImageBuild' || kind === 'Config') props = sortedShallow(props);
    const { deps: dependsOn, id, path, loc } = e;
    // Literal keys in sorted order, as everything of the graph (formatGraph relies on it).
    out.push((loc ? { dependsOn, id, kind, path, props, source: sources.of(loc) } : { dependsOn, id, kind, path, props }) as ResourceJson);
  }
  return out.sort((a, b) => cmpStr(a.id, b.id));
}

/** The cluster's moved() declarations as graph ids; reports the ones that cannot hold. */
export function movesOfCluster(cluster: Cluster, ids: ReadonlySet<string>, entryOf: ReadonlyMap<Resource, Entry>, diags: Diagnostics, resolve: Resolve): GraphJson['moved'] {
  const out: Array<{ from: string; to: string }> = [];
  for (const m of movesOf(cluster)) {
    const te = entryOf.get(m.to);
    const to = te?.cluster === cluster ? te.id : undefined;
    const from = m.from.split('/').join('-');
    if (!to) {
      diags.report({ code: 'synth.dangling-ref', message: `moved(): "to" must be a resource of cluster "${cluster.node.id}"`, constructPath: cluster.node.path, kind: 'Cluster', location: resolve(cluster.frames) });
    } else if (ids.has(from)) {
      diags.report({ code: 'props.invalid', message: `moved(): "${m.from}" still exists in the program; a resource cannot be moved from a path that is still in use`, constructPath: m.to.node.path, kind: m.to.kind, location: resolve(m.to.frames), hint: 'remove the old construct, or drop the moved() declaration' });
    } else {
      out.push({ from, to });
    }
  }
  return out.sort((a, b) => cmpStr(a.from, b.from));
}
