/**
 * Deterministic topological order: dependencies first, ties broken by id, so two runs of
 * the planner (or two machines) list the same changes in the same order.
 */

/** Orders `ids` so every id comes after the ids it depends on (deps outside `ids` are ignored). */
export function topoOrder(ids: readonly string[], depsOf: (id: string) => readonly string[]): string[] {
  const set = new Set(ids);
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    let n = 0;
    for (const d of depsOf(id)) {
      if (!set.has(d) || d === id) continue;
      n++;
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
    pending.set(id, n);
  }
  // `ready` stays sorted descending so the smallest id pops from the end in O(1).
  // sort() without a comparator orders strings by UTF-16 code units, as `ascending` does, and
  // spares a call per comparison.
  const ready = ids.filter((id) => pending.get(id) === 0).sort().reverse();
  const out: string[] = [];
  while (ready.length > 0) {
    const id = ready.pop() as string;
    out.push(id);
    for (const dep of dependents.get(id) ?? []) {
      const left = (pending.get(dep) ?? 0) - 1;
      pending.set(dep, left);
      if (left === 0) insertDescending(ready, dep);
    }
  }
  // A cycle cannot come out of synth; if one slips through, keep every id rather than drop it.
  if (out.length < ids.length) {
    const seen = new Set(out);
    out.push(...ids.filter((id) => !seen.has(id)).sort(ascending));
  }
  return out;
}

function ascending(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function insertDescending(xs: string[], x: string): void {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as string) > x) lo = mid + 1;
    else hi = mid;
  }
  xs.splice(lo, 0, x);
}

export { ascending as byId };
