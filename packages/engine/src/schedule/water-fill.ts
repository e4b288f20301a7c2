/**
 * Water-filling: pour `e` replicas into items (domains) that already hold c[k] and can
 * take u[k] more, raising the lowest level first. The result has max − min ≤ 1 among
 * items that are not full, which is the spread promise. `order` ranks items for the
 * last, partial level (best first).
 */
export function waterFill(
  c: readonly number[],
  u: readonly number[],
  e: number,
  order: readonly number[],
): number[] {
  const m = c.length;
  const a = new Array<number>(m).fill(0);
  let total = 0;
  let lo = Infinity;
  let hi = 0;
  for (let k = 0; k < m; k++) {
    const uk = u[k]!;
    if (uk <= 0) continue;
    total += uk;
    lo = Math.min(lo, c[k]!);
    hi = Math.max(hi, c[k]! + uk);
  }
  if (total === 0) return a;
  if (total <= e) {
    for (let k = 0; k < m; k++) a[k] = Math.max(0, u[k]!);
    return a;
  }
  const fill = (level: number): number => {
    let s = 0;
    for (let k = 0; k < m; k++) {
      const uk = u[k]!;
      if (uk > 0) s += Math.min(Math.max(0, level - c[k]!), uk);
    }
    return s;
  };
  // Smallest level L with fill(L) >= e; fill(hi) = total > e bounds the search.
  let l = lo;
  let h = hi;
  while (h - l > 1) {
    const mid = Math.floor((l + h) / 2);
    if (fill(mid) >= e) h = mid;
    else l = mid;
  }
  const level = h;
  let placed = 0;
  for (let k = 0; k < m; k++) {
    const uk = u[k]!;
    if (uk <= 0) continue;
    a[k] = Math.min(Math.max(0, level - 1 - c[k]!), uk);
    placed += a[k]!;
  }
  let rest = e - placed;
  for (const k of order) {
    if (rest === 0) break;
    if (u[k]! > a[k]! && c[k]! + a[k]! === level - 1) {
      a[k]!++;
      rest--;
    }
  }
  return a;
}
