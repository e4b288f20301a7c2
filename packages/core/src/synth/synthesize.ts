/**
 * Synthesis: construct tree → one validated resource graph per Cluster. A short pipeline of
 * named stages, each in its own file; every stage reports to one {@link Diagnostics}, so a run
 * lists every problem of the program before failing (SynthFailure lists them all):
 *
 *   collect → ids → validate → references → dependencies → content hashes → kind checks
 *           → assemble (+ cycles, moved) → policies → diagnostics
 */
import type { Diagnostic, SourceLocation } from '../errors.ts';
import type { RawFrames } from '../private/location.ts';
import type { App } from '../tree/app.ts';
import type { Resource } from '../tree/resource.ts';
import { GRAPH_SCHEMA_VERSION, type GraphJson } from '../graph/schema.ts';
import { movesOfCluster, resourcesOf, Sources } from './assemble.ts';
import { collect, type Collected, type Resolve } from './collect.ts';
import { hashContents } from './content-hashes.ts';
import { addExplicitDeps, checkCycles } from './dependencies.ts';
import { Diagnostics } from './diagnostics.ts';
import { assignIds } from './ids.ts';
import { checkKinds } from './kind-checks.ts';
import { ReferenceRewriter } from './references.ts';
import { noFilesReader, type SourceReader } from './source-reader.ts';
import { runPolicies } from '../policy/run.ts';
import { validateCluster, validateProps } from './validate.ts';
import type { Cluster } from '../tree/cluster.ts';

export interface SynthOptions {
  /** File access for build contexts and config files. @default no files (for unit tests) */
  readonly reader?: SourceReader;
  /** Maps raw stack frames to a location in cluster.ts. @default the first frame as is */
  readonly resolveLocation?: (frames: RawFrames) => SourceLocation | undefined;
  /**
   * How a resource's `source.file` is written into the graph (diagnostics keep the file as
   * resolveLocation gave it), e.g. relative to the app directory. @default as is
   */
  readonly sourceFile?: (file: string) => string;
}

export interface SynthResult {
  /** One graph per Cluster, in cluster id order. */
  readonly graphs: readonly GraphJson[];
  /** Warnings (policy violations of severity warning), in source order. */
  readonly warnings: readonly Diagnostic[];
}

const defaultResolve: Resolve = (frames) => frames[0];

/** Turns `app` into graphs; throws {@link SynthFailure} listing every problem. */
export function synthesize(app: App, options: SynthOptions = {}): SynthResult {
  const reader = options.reader ?? noFilesReader;
  const resolve = options.resolveLocation ?? defaultResolve;
  const sources = new Sources(options.sourceFile ?? ((f: string) => f));
  const diags = new Diagnostics();
  const tree = collect(app, diags, resolve);
  const graphs = tree.clusters.map((c) => synthCluster(c, tree, { reader, resolve, sources, diags }));
  diags.throwIfAny();
  return { graphs, warnings: diags.warnings() };
}

interface Stages {
  readonly reader: SourceReader;
  readonly resolve: Resolve;
  readonly sources: Sources;
  readonly diags: Diagnostics;
}

function synthCluster(cluster: Cluster, tree: Collected, { reader, resolve, sources, diags }: Stages): GraphJson {
  const mine = tree.entries.filter((e) => e.cluster === cluster);
  const ids = assignIds(cluster, mine, diags, resolve);
  const target = validateCluster(cluster, diags, resolve, sources);
  validateProps(mine, diags);
  const refs = new ReferenceRewriter(cluster, tree.entries, tree.entryOf, diags);
  for (const e of mine) refs.rewrite(e);
  addExplicitDeps(cluster, mine, tree.entryOf);
  hashContents(mine, reader, diags);
  checkKinds(mine, diags);
  const resources = resourcesOf(mine, sources);
  const byId = new Map<string, Resource>();
  for (const e of mine) if (!byId.has(e.id)) byId.set(e.id, e.r);
  checkCycles(resources, (id) => byId.get(id), diags, resolve);
  const moved = movesOfCluster(cluster, ids, tree.entryOf, diags, resolve);
  const graph: GraphJson = { cluster: cluster.node.id, moved, resources, schemaVersion: GRAPH_SCHEMA_VERSION, target };
  if (tree.policies.length > 0) {
    const locOf = new Map(mine.map((e) => [e.id, e.loc]));
    runPolicies(tree.policies, { graph, locationOf: (id) => locOf.get(id), resolve, report: (d) => diags.report(d) });
  }
  return graph;
}
