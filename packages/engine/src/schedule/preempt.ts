/**
 * Preemption: a replica of a higher-priority group that fits nowhere may take the place of
 * lower-priority replicas. Always simulated on a copy of the state, so the report ("these
 * would have to go") is the same whether or not it is applied; applied only on request.
 */
import { SCORERS } from './chain.ts';
import { domainCounts } from './explain.ts';
import type { FilterContext } from './filters/filter.ts';
import { labelSpread } from './filters/label-spread.ts';
import { maxPerNode } from './filters/max-per-node.ts';
import { volumeLocality } from './filters/volume-locality.ts';
import { Placer } from './place-group.ts';
import type { Pools } from './pools.ts';
import type { ClusterState, Group } from './state.ts';
import type { Preemption, Victim } from './types.ts';

interface Choice {
  readonly node: number;
  readonly victims: readonly (readonly [Group, number])[];
  readonly key: readonly number[];
}

const better = (a: readonly number[], b: readonly number[]): boolean => {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! < b[k]!;
  return false;
};

export function preempt(
  state: ClusterState,
  pools: Pools,
  current: ReadonlyMap<number, Int32Array>,
  allow: boolean,
): { state: ClusterState; preemptions: Preemption[] } {
  const unplacedOf = (s: ClusterState, g: Group): number[] => {
    const out: number[] = [];
    const at = s.nodeOf[g.index]!;
    for (let o = 0; o < at.length; o++) if (at[o] === -1) out.push(o);
    return out;
  };
  let lowest = Infinity;
  for (const g of state.groups) if (state.nodeOf[g.index]!.some((i) => i >= 0)) lowest = Math.min(lowest, g.priority);
  const hungry = state.groups.filter((g) => g.priority > lowest && unplacedOf(state, g).length > 0);
  if (hungry.length === 0) return { state, preemptions: [] };

  const work = state.clone();
  const top = Math.max(...hungry.map((g) => g.priority));
  // Residents that some hungry group could evict, per node: built once, kept current below.
  const residents: ([Group, number][] | undefined)[] = new Array<[Group, number][] | undefined>(work.n).fill(undefined);
  for (const g of work.groups) {
    if (g.priority >= top) continue;
    const at = work.nodeOf[g.index]!;
    for (let o = 0; o < at.length; o++) {
      const i = at[o]!;
      if (i < 0) continue;
      (residents[i] ??= []).push([g, o]);
    }
  }
  // Evict the least important first: lowest priority, then the highest ordinal (the one a
  // scale-down would remove anyway), then by group id for a stable order.
  const evictionOrder = (a: readonly [Group, number], b: readonly [Group, number]): number =>
    a[0].priority - b[0].priority || b[1] - a[1] || (a[0].id < b[0].id ? -1 : a[0].id > b[0].id ? 1 : 0);

  const preemptions: Preemption[] = [];
  const touched = new Set<Group>();
  for (const g of hungry) {
    for (const ordinal of unplacedOf(work, g)) {
      const done = work.withCounts(g, () => {
        const choice = choose(work, pools, g, ordinal, residents, evictionOrder, current.get(g.index));
        if (choice === undefined) return false;
        const list = residents[choice.node]!;
        for (const [vg, vo] of choice.victims) {
          work.nodeOf[vg.index]![vo] = -1;
          work.release(vg, choice.node);
          list.splice(list.findIndex(([rg, ro]) => rg === vg && ro === vo), 1);
          touched.add(vg);
        }
        work.nodeOf[g.index]![ordinal] = choice.node;
        work.take(g, choice.node, 1);
        // Room freed by an earlier eviction in this pass: it rides on that preemption's report.
        if (choice.victims.length === 0) return true;
        preemptions.push({
          groupId: g.id,
          ordinal,
          node: work.names[choice.node]!,
          victims: choice.victims.map(([vg, vo]): Victim => ({ groupId: vg.id, ordinal: vo, priority: vg.priority })),
          applied: allow,
        });
        return true;
      });
      // Later ordinals of the group need the same room again; stop rather than rescan in vain.
      if (!done) break;
    }
  }
  if (!allow) return { state, preemptions };
  // Evicted replicas may still fit elsewhere without evicting anyone in turn.
  const placer = new Placer(work, pools);
  for (const vg of work.groups) if (touched.has(vg)) placer.place(vg, unplacedOf(work, vg));
  return { state: work, preemptions };
}

function choose(
  state: ClusterState,
  pools: Pools,
  g: Group,
  ordinal: number,
  residents: readonly ([Group, number][] | undefined)[],
  evictionOrder: (a: readonly [Group, number], b: readonly [Group, number]) => number,
  current: Int32Array | undefined,
): Choice | undefined {
  const ctx: FilterContext = { state, domains: domainCounts(state, pools, g), current };
  const replica = { group: g, ordinal };
  let best: Choice | undefined;
  for (const i of pools.get(g).nodes) {
    // Evicting others frees resources and ports, never these.
    if (!volumeLocality.filter(replica, i, ctx).pass) continue;
    if (!maxPerNode.filter(replica, i, ctx).pass) continue;
    if (!labelSpread.filter(replica, i, ctx).pass) continue;
    const candidates = (residents[i] ?? []).filter(([vg]) => vg.priority < g.priority).sort(evictionOrder);
    const victims: [Group, number][] = [];
    const used = state.ports[i];
    let blocked = false;
    for (const p of g.ports) {
      if (used === undefined || !used.has(p)) continue;
      const holder = candidates.find(([vg]) => vg.ports.includes(p));
      if (holder === undefined) blocked = true;
      else if (!victims.includes(holder)) victims.push(holder);
    }
    if (blocked) continue;
    let cpu = state.freeCpu[i]!;
    let mem = state.freeMem[i]!;
    for (const [vg] of victims) {
      cpu += vg.cpu;
      mem += vg.memory;
    }
    for (const v of candidates) {
      if (cpu >= g.cpu && mem >= g.memory) break;
      if (victims.includes(v)) continue;
      victims.push(v);
      cpu += v[0].cpu;
      mem += v[0].memory;
    }
    if (cpu < g.cpu || mem < g.memory) continue;
    let score = 0;
    for (const { scorer, weight } of SCORERS[g.strategy]) score += weight * scorer.score(replica, i, ctx);
    const top = victims.reduce((m, [vg]) => Math.max(m, vg.priority), -Infinity);
    // As Kubernetes: the lowest-priority victims, then the fewest, then the best node.
    const key = [victims.length === 0 ? -Infinity : top, victims.length, -score, state.rank[i]!];
    if (best === undefined || better(key, best.key)) best = { node: i, victims, key };
  }
  return best;
}
