/** Deployment: a rollout (rollout.ts) to replicas × replica hash × the scheduler's placements. */
import type { ResourceOf } from '@berth/core';
import type { Change } from '../../plan/types.ts';
import { resolveRunSpec } from '../resolve.ts';
import { rollout } from '../rollout.ts';
import type { StepContext, StepIntent, StepResult } from './context.ts';

type R = ResourceOf<'Deployment'>;

/** Ordinals the scheduler could not place (`--allow-partial`): not started. */
function unplaced(ctx: StepContext, id: string): Set<number> {
  return new Set((ctx.placements?.[id] ?? []).flatMap((n, o) => (n === null ? [o] : [])));
}

export function deploymentIntent(ctx: StepContext, r: R, change: Change): StepIntent {
  const skip = unplaced(ctx, r.id);
  const creates: string[] = [];
  for (let o = 0; o < r.props.replicas; o++) if (!skip.has(o)) creates.push(`replica ${r.id}#${o}`);
  return { specHash: ctx.replicaOf(change), creates };
}

/** The Services in front of a Deployment: their ids and target ports. */
function servicesOf(ctx: StepContext, deploymentId: string): Array<{ id: string; targetPorts: number[] }> {
  return ctx.graph.resources.flatMap((s) =>
    s.kind === 'Service' && s.props.target.$ref === deploymentId ? [{ id: s.id, targetPorts: s.props.ports.map((p) => p.targetPort ?? p.port) }] : [],
  );
}

export async function runDeployment(ctx: StepContext, r: R, change: Change): Promise<StepResult> {
  const nodes = ctx.placements?.[r.id];
  const replicaHash = ctx.replicaOf(change);
  let held: number | undefined;
  const canary = r.props.update.canary;
  const current = await rollout({
    driver: ctx.driver,
    id: r.id,
    replicas: r.props.replicas,
    specHash: replicaHash,
    maxSurge: r.props.update.maxSurge,
    maxUnavailable: r.props.update.maxUnavailable,
    progressDeadlineMs: r.props.update.progressDeadline,
    services: servicesOf(ctx, r.id),
    spec: (o) => {
      const node = nodes?.[o];
      return { ...resolveRunSpec(ctx.resolve, r, o, replicaHash, ctx.release), ...(node ? { node } : {}) };
    },
    ...(nodes ? { nodeOf: (o: number) => nodes[o] ?? undefined } : {}),
    unplaced: unplaced(ctx, r.id),
    progress: (m) => ctx.progress(r.id, m),
    signal: ctx.signal,
    ...(canary ? { canary, onHold: (c) => (held = c.length) } : {}),
  });
  if (held !== undefined) return { outputs: {}, canaryHeld: { replicas: held } };
  return { outputs: { containers: current.map((c) => c.name) }, placements: current.map((p) => ({ ordinal: p.ordinal, node: p.node })) };
}
