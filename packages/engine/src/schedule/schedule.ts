/**
 * schedule(): keep what still fits, place what is missing in bulk, consider preemption,
 * and explain the rest lazily. Pure: the same request (in any array order) gives the same
 * result.
 */
import { KEEP_FILTERS } from './chain.ts';
import { explain, type Explanation } from './explain.ts';
import type { FilterContext } from './filters/filter.ts';
import { Placer } from './place-group.ts';
import { Pools } from './pools.ts';
import { preempt } from './preempt.ts';
import { byString, ClusterState, normaliseGroup, type Group } from './state.ts';
import type { Move, Placement, Rejection, ScheduleRequest, ScheduleResult, Unplaced } from './types.ts';

interface PendingMove {
  readonly group: Group;
  readonly ordinal: number;
  readonly from: string;
  readonly filter: Rejection['filter'];
  readonly code: Rejection['code'];
  readonly reason: string;
}

export function schedule(request: ScheduleRequest): ScheduleResult {
  // Name order for nodes and (priority, id) order for groups make the result independent of
  // the order the caller happened to list them in; later duplicates of a name are ignored.
  const nodes = dedupe([...request.nodes].sort((a, b) => byString(a.name, b.name)), (x) => x.name);
  const specs = dedupe([...request.groups].sort((a, b) => byString(a.id, b.id)), (x) => x.id);
  const groups = specs
    .map((spec, index) => normaliseGroup(spec, index))
    .sort((a, b) => b.priority - a.priority || byString(a.id, b.id));
  let state = new ClusterState(nodes, groups);
  const pools = new Pools(state);

  const { moves, current } = keep(state, request.current ?? []);

  const placer = new Placer(state, pools);
  for (const g of groups) {
    const missing: number[] = [];
    const at = state.nodeOf[g.index]!;
    for (let o = 0; o < at.length; o++) if (at[o] === -1) missing.push(o);
    placer.place(g, missing);
  }

  const outcome = preempt(state, pools, current, request.allowPreemption === true);
  state = outcome.state;
  return result(state, pools, moves, outcome.preemptions);
}

function dedupe<T>(sorted: T[], key: (x: T) => string): T[] {
  return sorted.filter((x, k) => k === 0 || key(sorted[k - 1]!) !== key(x));
}

/** Stickiness at infinite weight: a running replica stays while its node passes every keep filter. */
function keep(
  state: ClusterState,
  placements: readonly Placement[],
): { moves: PendingMove[]; current: Map<number, Int32Array> } {
  const byGroup = new Map<number, Placement[]>();
  for (const p of placements) {
    const g = state.groupById.get(p.groupId);
    // A replica of a removed group or beyond the new count is a scale-down, not a move.
    if (g === undefined || !Number.isInteger(p.ordinal) || p.ordinal < 0 || p.ordinal >= g.replicas) continue;
    let list = byGroup.get(g.index);
    if (list === undefined) byGroup.set(g.index, (list = []));
    list.push(p);
  }
  const moves: PendingMove[] = [];
  const current = new Map<number, Int32Array>();
  // Higher priority keeps its place first when a node shrank under its replicas.
  for (const g of state.groups) {
    const list = byGroup.get(g.index);
    if (list === undefined) continue;
    list.sort((a, b) => a.ordinal - b.ordinal || byString(a.node, b.node));
    const was = new Int32Array(g.replicas).fill(-1);
    current.set(g.index, was);
    state.withCounts(g, () => {
      const ctx: FilterContext = { state, domains: undefined, current: was };
      const nodeOf = state.nodeOf[g.index]!;
      let last = -1;
      for (const p of list) {
        if (p.ordinal === last) continue; // the same replica reported twice: first node by name wins
        last = p.ordinal;
        const i = state.nodeIndex.get(p.node);
        if (i === undefined) {
          const reason = `${p.node}: no longer in the cluster`;
          moves.push({ group: g, ordinal: p.ordinal, from: p.node, filter: 'scheduler', code: 'schedule.node-gone', reason });
          continue;
        }
        was[p.ordinal] = i;
        const replica = { group: g, ordinal: p.ordinal };
        let rejected = false;
        for (const f of KEEP_FILTERS) {
          const v = f.filter(replica, i, ctx);
          if (v.pass) continue;
          moves.push({ group: g, ordinal: p.ordinal, from: p.node, filter: f.name, code: v.code, reason: v.reason });
          rejected = true;
          break;
        }
        if (rejected) continue;
        nodeOf[p.ordinal] = i;
        state.take(g, i, 1);
      }
    });
  }
  return { moves, current };
}

function result(
  state: ClusterState,
  pools: Pools,
  pending: readonly PendingMove[],
  preemptions: ScheduleResult['preemptions'],
): ScheduleResult {
  const byId = [...state.groups].sort((a, b) => byString(a.id, b.id));
  const placements: Placement[] = [];
  const unplaced: Unplaced[] = [];
  for (const g of byId) {
    const at = state.nodeOf[g.index]!;
    let memo: Explanation | undefined;
    const why = (): Explanation => (memo ??= explain(state, pools, g));
    for (let o = 0; o < at.length; o++) {
      const i = at[o]!;
      if (i >= 0) placements.push({ groupId: g.id, ordinal: o, node: state.names[i]! });
      else unplaced.push(lazyUnplaced(g.id, o, why));
    }
  }
  const moves: Move[] = pending
    .map((m): Move => {
      const to = state.nodeOf[m.group.index]![m.ordinal]!;
      return {
        groupId: m.group.id,
        ordinal: m.ordinal,
        from: m.from,
        to: to >= 0 ? state.names[to]! : null,
        filter: m.filter,
        code: m.code,
        reason: m.reason,
      };
    })
    .sort((a, b) => byString(a.groupId, b.groupId) || a.ordinal - b.ordinal);
  return { placements, unplaced, moves, preemptions };
}

/**
 * `rejected` and `summary` are getters computed on first read (per group, shared): an
 * overloaded 10k-node cluster would otherwise build 10k rejections per unplaced group
 * that nobody prints. They are enumerable, so JSON.stringify and deep equality see them.
 */
function lazyUnplaced(groupId: string, ordinal: number, why: () => Explanation): Unplaced {
  const u = { groupId, ordinal };
  Object.defineProperty(u, 'rejected', { enumerable: true, get: () => why().rejected });
  Object.defineProperty(u, 'summary', { enumerable: true, get: () => why().summary });
  return u as Unplaced;
}

