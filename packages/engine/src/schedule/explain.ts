/**
 * Why a group's replicas could not be placed: every filter, every node, against the final
 * state. Run only for groups that have unplaced replicas, and only when the result is read,
 * so a cluster where everything fits pays nothing for it.
 */
import { FILTERS } from './chain.ts';
import type { DomainCounts, FilterContext } from './filters/filter.ts';
import type { Pools } from './pools.ts';
import type { ClusterState, Group } from './state.ts';
import type { Rejection, RejectionSummary } from './types.ts';

export interface Explanation {
  readonly rejected: readonly Rejection[];
  readonly summary: readonly RejectionSummary[];
}

/** Replicas of g per spread domain; call inside state.withCounts(g). */
export function domainCounts(state: ClusterState, pools: Pools, g: Group): DomainCounts | undefined {
  const domains = pools.get(g).domains;
  if (domains === undefined || domains.length === 0) return undefined;
  const byValue = new Map<string, number>();
  let min = Infinity;
  let minValue = '';
  for (const d of domains) {
    let sum = 0;
    for (const i of d.nodes) sum += state.counts[i]!;
    byValue.set(d.value, sum);
    if (sum < min) {
      min = sum;
      minValue = d.value;
    }
  }
  return { byValue, min, minValue };
}

export function explain(state: ClusterState, pools: Pools, g: Group): Explanation {
  return state.withCounts(g, () => {
    const ctx: FilterContext = { state, domains: domainCounts(state, pools, g), current: undefined };
    const replica = { group: g, ordinal: 0 };
    const rejected: Rejection[] = [];
    for (const i of state.byName) {
      let found: Rejection | undefined;
      for (const f of FILTERS) {
        const v = f.filter(replica, i, ctx);
        if (!v.pass) {
          found = { node: state.names[i]!, filter: f.name, code: v.code, reason: v.reason };
          break;
        }
      }
      // Reached only if the placer left room unused: reported rather than hidden.
      rejected.push(
        found ?? {
          node: state.names[i]!,
          filter: 'scheduler',
          code: 'schedule.not-chosen',
          reason: `${state.names[i]!}: passes every filter but was not chosen`,
        },
      );
    }
    return { rejected, summary: summarise(rejected) };
  });
}

export function summarise(rejected: readonly Rejection[]): RejectionSummary[] {
  const byKey = new Map<string, { filter: Rejection['filter']; code: Rejection['code']; count: number; examples: string[] }>();
  for (const r of rejected) {
    const key = `${r.filter}\u0000${r.code}`;
    let s = byKey.get(key);
    if (s === undefined) byKey.set(key, (s = { filter: r.filter, code: r.code, count: 0, examples: [] }));
    s.count++;
    if (s.examples.length < 3) s.examples.push(r.reason);
  }
  // Most common reason first: it is the one to act on.
  return [...byKey.values()].sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
