/**
 * From a graph to the scheduler and back (pure): each Deployment becomes a schedule group
 * (requests, strategy, constraints, spread, max per node, node-local volumes, priority),
 * running replicas are the current placements (so nothing moves without a reason), and the
 * result comes back as "node of each ordinal" for the executor and readable lines for diff.
 */
import type { GraphJson } from '@berth/core';
import type { Observed } from '../plan/observed.ts';
import { schedule } from '../schedule/index.ts';
import type { Placement, ScheduleGroup, ScheduleNode, ScheduleResult } from '../schedule/types.ts';

export interface NodeFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: { readonly cpu: number; readonly memory: number };
  readonly reachable: boolean;
  readonly draining: boolean;
  /** Volume resource ids present on the node. */
  readonly volumes: readonly string[];
}

export interface PlacementPlan {
  /** Node per ordinal, by Deployment id (undefined where a replica could not be placed). */
  readonly nodes: ReadonlyMap<string, ReadonlyArray<string | undefined>>;
  readonly result: ScheduleResult;
  /** Unplaced replicas exist: deploy stops unless partial placement is allowed. */
  readonly incomplete: boolean;
}

export function placementRequest(graph: GraphJson, nodes: readonly NodeFacts[], observed: Observed | undefined, allowPreemption = false) {
  const groups: ScheduleGroup[] = [];
  for (const r of graph.resources) {
    if (r.kind !== 'Deployment') continue;
    const p = r.props;
    const vols = p.mounts.flatMap((m) => ('volume' in m ? [m.volume.$ref] : []));
    groups.push({
      id: r.id,
      replicas: p.replicas,
      requests: { cpu: p.resources.requests?.cpu ?? 0, memory: p.resources.requests?.memory ?? 0 },
      strategy: p.placement.strategy,
      constraints: p.placement.constraints,
      ...(p.placement.spreadBy ? { spreadBy: { label: p.placement.spreadBy.label, maxSkew: p.placement.spreadBy.maxSkew } } : {}),
      ...(p.placement.maxPerNode !== undefined ? { maxPerNode: p.placement.maxPerNode } : {}),
      ...(vols.length > 0 ? { volumes: vols } : {}),
      priority: p.placement.priority,
    });
  }
  const scheduleNodes: ScheduleNode[] = nodes.map((n) => ({
    name: n.name,
    labels: n.labels,
    capacity: n.capacity,
    reachable: n.reachable,
    draining: n.draining,
    volumes: n.volumes,
  }));
  // Running replicas are where they are: one per ordinal (a half-done rollout may have two).
  const current: Placement[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    for (const rep of observed?.resources[g.id]?.replicas ?? []) {
      const key = `${g.id}#${rep.ordinal}`;
      if (rep.state !== 'running' || rep.ordinal >= g.replicas || seen.has(key)) continue;
      seen.add(key);
      current.push({ groupId: g.id, ordinal: rep.ordinal, node: rep.node });
    }
  }
  return { nodes: scheduleNodes, groups, current, allowPreemption };
}

export function placeReplicas(graph: GraphJson, nodes: readonly NodeFacts[], observed: Observed | undefined, allowPreemption = false): PlacementPlan {
  const req = placementRequest(graph, nodes, observed, allowPreemption);
  const result = schedule(req);
  const byGroup = new Map<string, Array<string | undefined>>();
  for (const g of req.groups) byGroup.set(g.id, new Array<string | undefined>(g.replicas).fill(undefined));
  for (const p of result.placements) {
    const arr = byGroup.get(p.groupId);
    if (arr) arr[p.ordinal] = p.node;
  }
  return { nodes: byGroup, result, incomplete: result.unplaced.length > 0 };
}

/** Lines for diff: where each Deployment's replicas go, what moves and why, what cannot be placed. */
export function describePlacements(graph: GraphJson, plan: PlacementPlan, multiNode: boolean): string[] {
  const lines: string[] = [];
  const src = new Map(graph.resources.map((r) => [r.id, r.source ? `${r.source.file}:${r.source.line}` : '']));
  if (multiNode) {
    for (const [id, nodes] of plan.nodes) {
      if (nodes.length === 0) continue;
      const counts = new Map<string, number>();
      for (const n of nodes) if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
      lines.push(`  ${id}: ${nodes.map((n, i) => `#${i}→${n ?? '(unplaced)'}`).join(' ')}`);
    }
  }
  for (const m of plan.result.moves) {
    lines.push(`  move ${m.groupId} #${m.ordinal}: ${m.from} → ${m.to ?? '(nowhere)'} because ${m.reason}`);
  }
  const byGroup = new Map<string, number[]>();
  for (const u of plan.result.unplaced) byGroup.set(u.groupId, [...(byGroup.get(u.groupId) ?? []), u.ordinal]);
  for (const [g, ords] of byGroup) {
    const u = plan.result.unplaced.find((x) => x.groupId === g);
    lines.push(`  cannot place ${g} replica${ords.length === 1 ? '' : 's'} ${ords.map((o) => `#${o}`).join(', ')}${src.get(g) ? ` — ${src.get(g)}` : ''}`);
    for (const rej of u?.rejected.slice(0, 12) ?? []) lines.push(`      ${rej.reason}`);
    if ((u?.rejected.length ?? 0) > 12) {
      for (const s of u?.summary ?? []) lines.push(`      ${s.count} nodes: ${s.code} (e.g. ${s.examples[0] ?? ''})`);
    }
  }
  for (const p of plan.result.preemptions) {
    lines.push(`  ${p.applied ? 'preempting' : 'would need to preempt'} for ${p.groupId} #${p.ordinal} on ${p.node}: ${p.victims.map((v) => `${v.groupId} #${v.ordinal} (priority ${v.priority})`).join(', ')}`);
  }
  return lines;
}
