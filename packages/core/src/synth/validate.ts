/**
 * Stage 3 of synthesis: each resource's props (and its Cluster's) against the kind's zod
 * schema. What passes is zod's output, a fresh copy the later stages rewrite in place; what
 * fails is reported property by property (issues.ts) and synthesized no further.
 */
import { z } from 'zod';
import { ConfigProps } from '../kinds/config.ts';
import { DeploymentProps } from '../kinds/deployment.ts';
import { ImageBuildProps } from '../kinds/image-build.ts';
import { ImageProps } from '../kinds/image.ts';
import { JobProps } from '../kinds/job.ts';
import { NetworkProps } from '../kinds/network.ts';
import { SecretProps } from '../kinds/secret.ts';
import { ServiceProps } from '../kinds/service.ts';
import { VolumeProps } from '../kinds/volume.ts';
import { ClusterProps, targetJsonOf, type Cluster } from '../tree/cluster.ts';
import type { Sources } from './assemble.ts';
import type { ResourceKind } from '../tree/resource.ts';
import type { GraphJson } from '../graph/schema.ts';
import { isDuplicate, type Entry, type Resolve } from './collect.ts';
import type { Diagnostics } from './diagnostics.ts';
import { reportIssues } from './issues.ts';

export const INPUT_SCHEMAS: Record<ResourceKind, z.ZodType> = {
  Deployment: DeploymentProps,
  Job: JobProps,
  Service: ServiceProps,
  Volume: VolumeProps,
  Network: NetworkProps,
  Secret: SecretProps,
  Config: ConfigProps,
  Image: ImageProps,
  ImageBuild: ImageBuildProps,
};

/**
 * The schemas as zod compiles them: generated code for the common valid case, while an invalid
 * input falls back to the ordinary parser, so the issues are the same. Compiling a kind costs
 * about as much as parsing 300 resources of it (bench/synth), so only a cluster with many
 * resources of a kind uses the compiled schema; the output is the same either way.
 */
const COMPILE_FROM = 300;
const compiledSchemas = new Map<ResourceKind, z.ZodType>();
function inputSchema(kind: ResourceKind, count: number): z.ZodType {
  let s = compiledSchemas.get(kind);
  if (!s) {
    if (count < COMPILE_FROM) return INPUT_SCHEMAS[kind];
    s = z.compile(INPUT_SCHEMAS[kind]);
    compiledSchemas.set(kind, s);
  }
  return s;
}

/** The Cluster's own props; returns its target as the graph writes it. */
export function validateCluster(cluster: Cluster, diags: Diagnostics, resolve: Resolve, sources: Sources): GraphJson['target'] {
  const cp = ClusterProps.safeParse(cluster.props, { reportInput: true });
  const location = resolve(cluster.frames);
  if (cp.success) return targetJsonOf(cp.data.target, location ? sources.of(location) : undefined);
  reportIssues(diags, cp.error.issues, { path: cluster.node.path, kind: 'Cluster', location, props: cluster.props, known: ['target'] });
  return targetJsonOf(undefined);
}

/** Sets `props` of every valid resource of `mine`. */
export function validateProps(mine: readonly Entry[], diags: Diagnostics): void {
  const perKind = new Map<ResourceKind, number>();
  for (const { r } of mine) perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + 1);
  for (const e of mine) {
    if (isDuplicate(e)) continue;
    const r = e.r;
    const parsed = inputSchema(r.kind, perKind.get(r.kind) ?? 0).safeParse(r.props ?? {}, { reportInput: true });
    if (parsed.success) e.props = parsed.data as Record<string, unknown>;
    else reportIssues(diags, parsed.error.issues, { path: e.path, kind: r.kind, location: e.loc, props: r.props, known: knownKeys(r.kind) });
  }
}

function knownKeys(kind: ResourceKind): string[] {
  const s = INPUT_SCHEMAS[kind] as unknown as { shape?: Record<string, unknown>; _zod?: { def?: { shape?: Record<string, unknown> } } };
  const shape = s.shape ?? s._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}
