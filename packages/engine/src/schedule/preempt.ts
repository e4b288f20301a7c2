/**
 * Preemption: a replica of a higher-priority group that fits nowhere may take the place of
 * lower-priority replicas. Always simulated on a copy of the state, so the report ("these
 * would have to go") is the same whether or not it is applied; applied only on request.
 */
import { SCORERS } from './chain.ts';
import { domainCounts } from './explain.ts';
import type { FilterContext } from './filters/filter.ts';
import { maxSkew } from './filters/max-skew.ts';
import { maxPerNode } from './filters/max-per-node.ts';
import { volumeLocality } from './filters/volume-locality.ts';
import { Placer } from './place-group.ts';
import type { Pools } from './pools.ts';
import type { ClusterState, Group } from './state.ts';
import type { Preemption, Victim } from './types.ts';

type Resident = readonly [Group, number];

/**
 * The evictable replicas on one node, least important first (lowest priority, then highest
 * ordinal — the one a scale-down would remove anyway — then group id). A node's victims are
 * a prefix from `head`, so prefix sums answer "how many must go" by binary search, without
 * touching the replicas: a hungry replica scans every node of its pool.
 */
class Residents {
  list: Resident[];
  head = 0;
  private cpu!: Float64Array;
  private mem!: Float64Array;
  private prio!: Float64Array;

  constructor(list: Resident[]) {
    list.sort(
      (a, b) => a[0].priority - b[0].priority || b[1] - a[1] || (a[0].id < b[0].id ? -1 : a[0].id > b[0].id ? 1 : 0),
    );
    this.list = list;
    this.index();
  }

  private index(): void {
    const n = this.list.length;
    this.cpu = new Float64Array(n + 1);
    this.mem = new Float64Array(n + 1);
    this.prio = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const g = this.list[k]![0];
      this.cpu[k + 1] = this.cpu[k]! + g.cpu;
      this.mem[k + 1] = this.mem[k]! + g.memory;
      this.prio[k] = g.priority;
    }
  }

  /** Smallest k such that the k first residents free `short` (or -1 past `limit`). */
  private prefixFor(sums: Float64Array, short: number, limit: number): number {
    if (short <= 0) return 0;
    const base = sums[this.head]!;
    let lo = this.head;
    let hi = limit;
    if (sums[hi]! - base < short) return -1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sums[mid]! - base >= short) hi = mid;
      else lo = mid + 1;
    }
    return lo - this.head;
  }

  /** How many of the first residents must go to free (cpu, memory) for priority p; -1: impossible. */
  count(p: number, shortCpu: number, shortMem: number): number {
    // Only residents below p are evictable: a prefix, since the list is sorted by priority.
    let lo = this.head;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.prio[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    const a = this.prefixFor(this.cpu, shortCpu, lo);
    const b = this.prefixFor(this.mem, shortMem, lo);
    return a < 0 || b < 0 ? -1 : Math.max(a, b);
  }

  /** Priority of the k-th resident from the head. */
  priorityAt(k: number): number {
    return this.prio[this.head + k]!;
  }

  live(): Resident[] {
    return this.list.slice(this.head);
  }

  evict(victims: readonly Resident[]): void {
    const prefix = this.list.slice(this.head, this.head + victims.length);
    if (prefix.every((v, k) => v === victims[k])) {
      this.head += victims.length;
      return;
    }
    // A host-port holder taken out of order: rebuild (rare: ports are few).
    this.list = this.live().filter((v) => !victims.includes(v));
    this.head = 0;
    this.index();
  }
}

interface Choice {
  readonly node: number;
  readonly victims: readonly Resident[];
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
  // Replicas placed before this pass that some hungry group could evict. Replicas placed
  // during the pass (preemptors, re-placed victims) are not evicted again in it.
  const lists: Resident[][] = Array.from({ length: work.n }, () => []);
  for (const g of work.groups) {
    if (g.priority >= top) continue;
    const at = work.nodeOf[g.index]!;
    for (let o = 0; o < at.length; o++) {
      const i = at[o]!;
      if (i >= 0) lists[i]!.push([g, o]);
    }
  }
  const residents = lists.map((l) => new Residents(l));

  const preemptions: Preemption[] = [];
  const touched = new Set<Group>();
  for (const g of hungry) {
    // Between two replicas of a group only the chosen node changes, so node verdicts are
    // cached per group and only that node is re-evaluated. Not with spreadBy: a placement
    // there changes the skew verdict of every node.
    const cache = g.spreadLabel === undefined ? new NodeVerdicts(work.n) : undefined;
    let dirty = -1;
    for (const ordinal of unplacedOf(work, g)) {
      const done = work.withCounts(g, () => {
        const choice = choose(work, pools, g, ordinal, residents, current.get(g.index), cache, dirty);
        if (choice === undefined) return false;
        dirty = choice.node;
        for (const [vg, vo] of choice.victims) {
          work.nodeOf[vg.index]![vo] = -1;
          work.release(vg, choice.node);
          touched.add(vg);
        }
        residents[choice.node]!.evict(choice.victims);
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

/** Per node: the victims a replica of the focus group needs there and the node's score. */
class NodeVerdicts {
  ready = false;
  readonly ok: Uint8Array;
  readonly first: Float64Array;
  readonly count: Int32Array;
  readonly score: Float64Array;
  readonly victims = new Map<number, readonly Resident[]>();
  constructor(n: number) {
    this.ok = new Uint8Array(n);
    this.first = new Float64Array(n);
    this.count = new Int32Array(n);
    this.score = new Float64Array(n);
  }
}

/**
 * Fills `out` for node i: whether evictions can make room, and at what cost. The score
 * leaves out stickiness, which depends on the ordinal and is added by the caller.
 */
function evaluate(
  state: ClusterState,
  g: Group,
  i: number,
  res: Residents,
  ctx: FilterContext,
  out: NodeVerdicts,
): void {
  out.ok[i] = 0;
  out.victims.delete(i);
  let shortCpu = g.cpu > 0 ? g.cpu - state.freeCpu[i]! : 0;
  let shortMem = g.memory > 0 ? g.memory - state.freeMem[i]! : 0;
  // Holders of a wanted host port must go whatever their place in the order.
  let victims: readonly Resident[] | undefined;
  const used = state.ports[i];
  if (g.ports.length > 0 && used !== undefined && g.ports.some((p) => used.has(p))) {
    const live = res.live();
    const holders: Resident[] = [];
    for (const p of g.ports) {
      if (!used.has(p)) continue;
      const holder = live.find(([vg]) => vg.priority < g.priority && vg.ports.includes(p));
      if (holder === undefined) return;
      if (!holders.includes(holder)) holders.push(holder);
    }
    for (const [vg] of holders) {
      shortCpu -= vg.cpu;
      shortMem -= vg.memory;
    }
    const rest = live.filter((v) => !holders.includes(v));
    let cpu = 0;
    let mem = 0;
    let k = 0;
    while (k < rest.length && (cpu < shortCpu || mem < shortMem) && rest[k]![0].priority < g.priority) {
      cpu += rest[k]![0].cpu;
      mem += rest[k]![0].memory;
      k++;
    }
    if (cpu < shortCpu || mem < shortMem) return;
    victims = [...holders, ...rest.slice(0, k)];
  }
  const k = victims === undefined ? res.count(g.priority, shortCpu, shortMem) : victims.length;
  if (k < 0) return;
  // Evicting others frees resources and ports, never these.
  const replica = { group: g, ordinal: -1 };
  if (!volumeLocality.filter(replica, i, ctx).pass) return;
  if (!maxPerNode.filter(replica, i, ctx).pass) return;
  if (!maxSkew.filter(replica, i, ctx).pass) return;
  let score = 0;
  for (const { scorer, weight } of SCORERS[g.strategy]) score += weight * scorer.score(replica, i, ctx);
  out.ok[i] = 1;
  out.count[i] = k;
  out.first[i] =
    k === 0 ? -Infinity : victims !== undefined ? Math.max(...victims.map(([vg]) => vg.priority)) : res.priorityAt(k - 1);
  out.score[i] = score;
  if (victims !== undefined) out.victims.set(i, victims);
}

function choose(
  state: ClusterState,
  pools: Pools,
  g: Group,
  ordinal: number,
  residents: readonly Residents[],
  current: Int32Array | undefined,
  cache: NodeVerdicts | undefined,
  dirty: number,
): Choice | undefined {
  const ctx: FilterContext = { state, domains: domainCounts(state, pools, g), current };
  const nodes = pools.get(g).nodes;
  const v = cache ?? new NodeVerdicts(state.n);
  if (cache === undefined || !cache.ready) {
    for (const i of nodes) evaluate(state, g, i, residents[i]!, ctx, v);
    v.ready = true;
  } else if (dirty >= 0) evaluate(state, g, dirty, residents[dirty]!, ctx, v);
  // Stickiness is the one scorer that depends on the ordinal: added here, for one node.
  const sticky = current?.[ordinal] ?? -1;
  const stickyBonus = SCORERS[g.strategy].reduce(
    (sum, { scorer, weight }) =>
      scorer.name === 'stickiness' && sticky >= 0 ? sum + weight * scorer.score({ group: g, ordinal }, sticky, ctx) : sum,
    0,
  );
  // As Kubernetes: the lowest-priority victims, then the fewest, then the best node.
  let best = -1;
  let bestKey: number[] = [];
  for (const i of nodes) {
    if (v.ok[i] === 0) continue;
    const first = v.first[i]!;
    const count = v.count[i]!;
    if (best >= 0 && (first > bestKey[0]! || (first === bestKey[0] && count > bestKey[1]!))) continue;
    const key = [first, count, -(v.score[i]! + (i === sticky ? stickyBonus : 0)), state.rank[i]!];
    if (best < 0 || better(key, bestKey)) {
      best = i;
      bestKey = key;
    }
  }
  if (best < 0) return undefined;
  const victims = v.victims.get(best) ?? residents[best]!.live().slice(0, v.count[best]);
  return { node: best, victims, key: bestKey };
}
