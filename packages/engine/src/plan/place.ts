/**
 * From a graph to the scheduler and back (pure): each Deployment becomes a schedule group
 * (requests, strategy, constraints, spread, max per node, node-local volumes, priority),
 * running replicas are the current placements (so nothing moves without a reason), and the
 * result comes back as "node of each ordinal" for the executor and readable lines for diff.
 */
import type { GraphJson } from '@berth/core';
import type { Observed } from './observed.ts';
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
  /** Why the node is unreachable (the engine's error), when it is. */
  readonly error?: string;
}

/** Where the last deploy left each Deployment's replicas (state), by Deployment id. */
export type RecordedPlacements = Readonly<Record<string, ReadonlyArray<{ readonly ordinal: number; readonly node: string }> | undefined>>;

export interface PlacementPlan {
  /** Node per ordinal, by Deployment id (undefined where a replica could not be placed). */
  readonly nodes: ReadonlyMap<string, ReadonlyArray<string | undefined>>;
  readonly result: ScheduleResult;
  /** Unplaced replicas exist: deploy stops unless partial placement is allowed. */
  readonly incomplete: boolean;
  /** Nodes whose engine did not answer (their replicas are placed elsewhere). */
  readonly unreachable: ReadonlyArray<{ readonly name: string; readonly error?: string }>;
  /**
   * Replicas found on a node their ordinal is no longer placed on, and not moving from there
   * now: what a node that was unreachable still had when it came back. The next rollout of
   * their Deployment removes them.
   */
  readonly leftovers: ReadonlyArray<{ readonly groupId: string; readonly ordinal: number; readonly node: string; readonly state: string; readonly placedOn: string | undefined }>;
}

/**
 * `recorded`: the placements state holds. A node that does not answer cannot be observed, so
 * the replicas state puts there count as running there: the scheduler then reports them as
 * moved away from an unreachable node, instead of the plan only seeing them missing.
 */
export function placementRequest(graph: GraphJson, nodes: readonly NodeFacts[], observed: Observed | undefined, allowPreemption = false, recorded?: RecordedPlacements) {
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
  const down = new Set(nodes.filter((n) => !n.reachable).map((n) => n.name));
  if (recorded && down.size > 0) {
    for (const g of groups) {
      for (const rep of recorded[g.id] ?? []) {
        const key = `${g.id}#${rep.ordinal}`;
        if (!down.has(rep.node) || rep.ordinal >= g.replicas || seen.has(key)) continue;
        seen.add(key);
        current.push({ groupId: g.id, ordinal: rep.ordinal, node: rep.node });
      }
    }
  }
  return { nodes: scheduleNodes, groups, current, allowPreemption };
}

export function placeReplicas(graph: GraphJson, nodes: readonly NodeFacts[], observed: Observed | undefined, allowPreemption = false, recorded?: RecordedPlacements): PlacementPlan {
  const req = placementRequest(graph, nodes, observed, allowPreemption, recorded);
  const result = schedule(req);
  const byGroup = new Map<string, Array<string | undefined>>();
  for (const g of req.groups) byGroup.set(g.id, new Array<string | undefined>(g.replicas).fill(undefined));
  for (const p of result.placements) {
    const arr = byGroup.get(p.groupId);
    if (arr) arr[p.ordinal] = p.node;
  }
  const unreachable = nodes.filter((n) => !n.reachable).map((n) => ({ name: n.name, ...(n.error !== undefined ? { error: n.error } : {}) }));
  const moving = new Set(result.moves.map((m) => `${m.groupId}#${m.ordinal}@${m.from}`));
  const leftovers: Array<PlacementPlan['leftovers'][number]> = [];
  for (const [id, want] of byGroup) {
    for (const rep of observed?.resources[id]?.replicas ?? []) {
      if (rep.ordinal >= want.length || want[rep.ordinal] === rep.node || moving.has(`${id}#${rep.ordinal}@${rep.node}`)) continue;
      leftovers.push({ groupId: id, ordinal: rep.ordinal, node: rep.node, state: rep.state, placedOn: want[rep.ordinal] });
    }
  }
  return { nodes: byGroup, result, incomplete: result.unplaced.length > 0, unreachable, leftovers };
}

/** Lines for diff: where each Deployment's replicas go, what moves and why, what cannot be placed. */
export function describePlacements(graph: GraphJson, plan: PlacementPlan, multiNode: boolean): string[] {
  const lines: string[] = [];
  const src = new Map(graph.resources.map((r) => [r.id, r.source ? `${r.source.file}:${r.source.line}` : '']));
  if (multiNode) {
    for (const u of plan.unreachable) {
      const moved = plan.result.moves.filter((m) => m.from === u.name).length;
      lines.push(`  node ${u.name} is unreachable${u.error ? ` (${u.error})` : ''}: ${moved > 0 ? `${moved} replica${moved === 1 ? '' : 's'} rescheduled onto reachable nodes` : 'nothing is placed on it'}`);
    }
    for (const [id, nodes] of plan.nodes) {
      if (nodes.length === 0) continue;
      const counts = new Map<string, number>();
      for (const n of nodes) if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
      lines.push(`  ${id}: ${nodes.map((n, i) => `#${i}→${n ?? '(unplaced)'}`).join(' ')}`);
    }
  }
  for (const l of plan.leftovers) {
    lines.push(`  remove ${l.groupId} #${l.ordinal} left on ${l.node} (${l.state}): #${l.ordinal} is placed on ${l.placedOn ?? '(nowhere)'}`);
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
