/**
 * From a graph to the scheduler and back (pure): each Deployment becomes a schedule group
 * (requests, strategy, constraints, spread, max per node, node-local volumes, priority),
 * running replicas are the current placements (so nothing moves without a reason), and the
 * result comes back as "node of each ordinal" for the executor and readable lines for diff.
 */
import type { GraphJson } from '@berth/core';
import type { State } from '../state/schema.ts';
import type { Observed } from './observed.ts';
import { schedule } from '../schedule/index.ts';
import type { Placement, ScheduleGroup, ScheduleNode, ScheduleResult } from '../schedule/types.ts';
import type { Change, PlanMove, PlanNodeFacts, PlanPlacement, PlanUnplaced } from './types.ts';

/** A node as the scheduler takes it: the target's facts with the drain set applied. */
export type NodeFacts = PlanNodeFacts & { readonly draining: boolean };

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

/**
 * Lines for diff: where each Deployment's replicas go, what moves and why, what cannot be placed.
 * Node lines only where there are several nodes: on one engine "where" says nothing.
 */
export function describePlacements(graph: GraphJson, plan: PlanPlacement): string[] {
  const lines: string[] = [];
  const multiNode = plan.nodes.length > 1;
  const src = new Map(graph.resources.map((r) => [r.id, r.source ? `${r.source.file}:${r.source.line}` : '']));
  if (multiNode) {
    for (const u of plan.nodes) {
      if (u.reachable) continue;
      const moved = plan.moves.filter((m) => m.from === u.name).length;
      lines.push(`  node ${u.name} is unreachable${u.error ? ` (${u.error})` : ''}: ${moved > 0 ? `${moved} replica${moved === 1 ? '' : 's'} rescheduled onto reachable nodes` : 'nothing is placed on it'}`);
    }
    for (const [id, nodes] of Object.entries(plan.replicas)) {
      if (nodes.length === 0) continue;
      lines.push(`  ${id}: ${nodes.map((n, i) => `#${i}→${n ?? '(unplaced)'}`).join(' ')}`);
    }
  }
  for (const l of plan.leftovers) {
    lines.push(`  remove ${l.groupId} #${l.ordinal} left on ${l.node} (${l.state}): #${l.ordinal} is placed on ${l.placedOn ?? '(nowhere)'}`);
  }
  for (const m of plan.moves) {
    lines.push(`  move ${m.groupId} #${m.ordinal}: ${m.from} → ${m.to ?? '(nowhere)'} because ${m.reason}`);
  }
  for (const u of plan.unplaced) {
    const ords = u.ordinals;
    lines.push(`  cannot place ${u.groupId} replica${ords.length === 1 ? '' : 's'} ${ords.map((o) => `#${o}`).join(', ')}${src.get(u.groupId) ? ` — ${src.get(u.groupId)}` : ''}`);
    for (const rej of u.rejected.slice(0, 12)) lines.push(`      ${rej.reason}`);
    if (u.rejected.length > 12) {
      for (const s of u.summary) lines.push(`      ${s.count} nodes: ${s.code} (e.g. ${s.examples[0] ?? ''})`);
    }
  }
  for (const p of plan.preemptions) {
    lines.push(`  ${p.applied ? 'preempting' : 'would need to preempt'} for ${p.groupId} #${p.ordinal} on ${p.node}: ${p.victims.map((v) => `${v.groupId} #${v.ordinal} (priority ${v.priority})`).join(', ')}`);
  }
  return lines;
}

/** Nodes with the drain set applied: a node is draining when the target or the drain set says so. */
export function nodeFactsOf(nodes: readonly PlanNodeFacts[], drained: readonly string[]): NodeFacts[] {
  const set = new Set(drained);
  return nodes.map((n) => ({
    name: n.name,
    labels: n.labels,
    capacity: n.capacity,
    reachable: n.reachable,
    draining: (n.draining ?? false) || set.has(n.name),
    volumes: n.volumes,
    ...(n.error !== undefined ? { error: n.error } : {}),
  }));
}

/** The placements state recorded, by Deployment id. */
export function recordedPlacements(state: State | undefined): RecordedPlacements {
  const out: Record<string, ReadonlyArray<{ ordinal: number; node: string }> | undefined> = {};
  for (const [id, r] of Object.entries(state?.resources ?? {})) if (r.placements) out[id] = r.placements;
  return out;
}

/** The scheduler's answer as plain data: what a saved plan carries and the executor follows. */
export function toPlanPlacement(nodes: readonly NodeFacts[], p: PlacementPlan): PlanPlacement {
  const replicas: Record<string, Array<string | null>> = {};
  for (const [id, want] of p.nodes) replicas[id] = want.map((n) => n ?? null);
  const unplaced: PlanUnplaced[] = [];
  for (const u of p.result.unplaced) {
    const last = unplaced[unplaced.length - 1];
    if (last && last.groupId === u.groupId) (last.ordinals as number[]).push(u.ordinal);
    // Every unplaced replica of a group saw the same nodes: their reasons are kept once.
    else unplaced.push({ groupId: u.groupId, ordinals: [u.ordinal], rejected: [...u.rejected], summary: [...u.summary] });
  }
  return {
    nodes: nodes.map((n) => ({ name: n.name, reachable: n.reachable, draining: n.draining, ...(n.error !== undefined ? { error: n.error } : {}) })),
    replicas,
    moves: p.result.moves.map((m) => ({ groupId: m.groupId, ordinal: m.ordinal, from: m.from, to: m.to, filter: m.filter, code: m.code, reason: m.reason })),
    unplaced,
    leftovers: p.leftovers.map((l) => ({ groupId: l.groupId, ordinal: l.ordinal, node: l.node, state: l.state, placedOn: l.placedOn ?? null })),
    preemptions: p.result.preemptions.map((x) => ({ ...x, victims: [...x.victims] })),
    incomplete: p.incomplete,
  };
}

/** Why a replica leaves its node, in the plan's words: `node n3 is draining`. */
export function moveCause(m: PlanMove): string {
  switch (m.code) {
    case 'schedule.draining':
      return `node ${m.from} is draining`;
    case 'schedule.unreachable':
      return `node ${m.from} is unreachable`;
    case 'schedule.node-gone':
      return `node ${m.from} is gone`;
    default:
      return m.reason;
  }
}

/**
 * The placement's consequences for the changes: a Deployment whose replicas move (or whose
 * replicas were left on a node that came back) must roll out even with an unchanged spec, so its
 * no-op becomes an update, and every change to a Deployment says where its replicas go and why.
 */
export function placementChanges(changes: readonly Change[], placement: PlanPlacement, observed: Observed | undefined): Change[] {
  const why = new Map<string, string[]>();
  const add = (id: string, reason: string): void => {
    const list = why.get(id);
    if (list) list.push(reason);
    else why.set(id, [reason]);
  };
  for (const m of placement.moves) add(m.groupId, `replica #${m.ordinal} moves ${m.from} → ${m.to ?? '(nowhere)'} because ${moveCause(m)}`);
  for (const l of placement.leftovers) add(l.groupId, `replica #${l.ordinal} left on ${l.node} (${l.state}) is removed: #${l.ordinal} is placed on ${l.placedOn ?? '(nowhere)'}`);
  return changes.map((c) => {
    if (c.kind !== 'Deployment' || c.action === 'delete') return c;
    const reasons = why.get(c.id);
    if (c.action !== 'noop') return reasons ? { ...c, reasons: [...c.reasons, ...reasons] } : c;
    // A no-op whose replica is placed where it does not run for another reason than a move
    // (a replica the last rollout could not place): the rollout starts it there.
    const want = placement.replicas[c.id] ?? [];
    const running = (observed?.resources[c.id]?.replicas ?? []).filter((r) => r.state === 'running');
    const o = want.findIndex((n, i) => n !== null && !running.some((r) => r.ordinal === i && r.node === n));
    const all = reasons ?? (o >= 0 ? [`replica #${o} is placed on ${want[o] ?? '?'}, where it does not run`] : undefined);
    return all ? { ...c, action: 'update', propertyChanges: [], reasons: all } : c;
  });
}
