/**
 * The bulk placer: all missing replicas of one group in a few linear passes over its pool,
 * instead of one filter-and-score round per replica. Per node it works out whether (and,
 * only where it matters, how many) more replicas fit — the dynamic filters as arithmetic —
 * then distributes: water-filling across spread domains, then water-filling (spread) or
 * fullest-first filling (binpack) across nodes. Scores are integers 0..100, so "best k
 * nodes" is a 101-bucket histogram or counting sort, never a comparison sort.
 */
import type { FilterContext } from './filters/filter.ts';
import { volumeLocality } from './filters/volume-locality.ts';
import type { Pools } from './pools.ts';
import { leastAllocatedScore } from './scorers/least-allocated.ts';
import { mostAllocatedScore } from './scorers/most-allocated.ts';
import { MAX_SCORE } from './scorers/scorer.ts';
import type { ClusterState, Group } from './state.ts';
import { waterFill } from './water-fill.ts';

export class Placer {
  /** Per node: how many more replicas of the focus group fit (capped at the need). */
  private readonly room: Float64Array;
  /** Per node: replicas assigned in the current distribution. */
  private readonly give: Float64Array;
  /** Per node: score in the current distribution, -1 when not a candidate. */
  private readonly score: Int16Array;
  private readonly hist = new Float64Array(MAX_SCORE + 1);
  /** Scratch for a counting sort of nodes by score. */
  private readonly order: Int32Array;
  private readonly bucket = new Int32Array(MAX_SCORE + 2);
  private pickNode: number[] = [];
  private pickCount: number[] = [];

  constructor(
    private readonly state: ClusterState,
    private readonly pools: Pools,
  ) {
    this.room = new Float64Array(state.n);
    this.give = new Float64Array(state.n);
    this.score = new Int16Array(state.n);
    this.order = new Int32Array(state.n);
  }

  /** Places `ordinals` (ascending, currently unplaced) of g; returns those left unplaced. */
  place(g: Group, ordinals: readonly number[]): number[] {
    const need = ordinals.length;
    if (need === 0) return [];
    const state = this.state;
    return state.withCounts(g, () => {
      const pool = this.pools.get(g);
      this.pickNode = [];
      this.pickCount = [];
      if (g.volumes.length === 0) {
        // The common case: room is computed lazily, only where the strategy needs it exactly.
        if (pool.domains === undefined) this.distribute(g, pool.nodes, need, false);
        else this.distributeDomains(g, pool.domains.map((d) => d.nodes), need, false);
      } else {
        const lists = pool.domains === undefined ? [pool.nodes] : pool.domains.map((d) => d.nodes);
        for (const list of lists) this.computeRoom(g, list, need);
        this.pinToOneNode(g, lists, need);
        if (pool.domains === undefined) this.distribute(g, lists[0]!, need, true);
        else this.distributeDomains(g, lists, need, true);
      }
      const nodeOf = state.nodeOf[g.index]!;
      let o = 0;
      for (let p = 0; p < this.pickNode.length; p++) {
        const i = this.pickNode[p]!;
        const count = this.pickCount[p]!;
        for (let k = 0; k < count; k++) nodeOf[ordinals[o++]!] = i;
        state.take(g, i, count);
      }
      return ordinals.slice(o);
    });
  }

  /**
   * The dynamic filters as arithmetic (max-per-node, host-ports, resources-fit): how many
   * more replicas node i takes, up to `need`.
   */
  private roomOf(g: Group, i: number, need: number): number {
    const { freeCpu, freeMem, counts, ports } = this.state;
    const cpu = g.cpu;
    const mem = g.memory;
    let r = need;
    if (cpu > 0) {
      const free = freeCpu[i]!;
      if (free < cpu * r) {
        let q = Math.floor(free / cpu);
        if (q * cpu > free) q--; // float division can round up onto an integer
        r = q;
      }
    }
    if (mem > 0 && r > 0) {
      const free = freeMem[i]!;
      if (free < mem * r) {
        let q = Math.floor(free / mem);
        if (q * mem > free) q--;
        r = q;
      }
    }
    if (r > 0 && g.maxPerNode !== Infinity) {
      const left = g.maxPerNode - counts[i]!;
      if (left < r) r = left;
    }
    if (r > 0 && g.ports.length > 0) {
      const used = ports[i];
      r = 1;
      if (used !== undefined) for (const p of g.ports) if (used.has(p)) r = 0;
    }
    return r > 0 ? r : 0;
  }

  private computeRoom(g: Group, list: Int32Array, need: number): void {
    const room = this.room;
    for (let k = 0, len = list.length; k < len; k++) {
      const i = list[k]!;
      room[i] = this.roomOf(g, i, need);
    }
  }

  /**
   * The same filters for "one more?", without divisions: all a fresh spread group on a big
   * pool, or the fill order of binpack, needs to know. Marks room[i] as 1 or 0.
   */
  private markFitsOne(g: Group, list: Int32Array): void {
    const { freeCpu, freeMem, counts, ports } = this.state;
    const room = this.room;
    const cpu = g.cpu;
    const mem = g.memory;
    const maxPer = g.maxPerNode;
    const wanted = g.ports;
    for (let k = 0, len = list.length; k < len; k++) {
      const i = list[k]!;
      let ok = (cpu <= 0 || freeCpu[i]! >= cpu) && (mem <= 0 || freeMem[i]! >= mem) && counts[i]! < maxPer;
      if (ok && wanted.length > 0) {
        const used = ports[i];
        if (used !== undefined) for (const p of wanted) if (used.has(p)) ok = false;
      }
      room[i] = ok ? 1 : 0;
    }
  }

  /**
   * A node-local volume lives on one node, so a group with volumes runs on one node: where
   * its replicas or volumes already are, else on the best node that takes them all.
   */
  private pinToOneNode(g: Group, lists: readonly Int32Array[], need: number): void {
    const state = this.state;
    const ctx: FilterContext = { state, domains: undefined, current: undefined };
    const replica = { group: g, ordinal: 0 };
    let best = -1;
    let bestKey: [number, number, number] = [-1, -1, -1];
    for (const list of lists) {
      for (const i of list) {
        if (!volumeLocality.filter(replica, i, ctx).pass) this.room[i] = 0;
        const room = this.room[i]!;
        if (room === 0) continue;
        const s = g.strategy === 'spread' ? leastAllocatedScore(state, i, g.cpu, g.memory, 1) : mostAllocatedScore(state, i);
        // A node that takes every replica beats one that takes the most, then the score decides.
        const key: [number, number, number] = room >= need ? [1, 0, s] : [0, room, s];
        // Lists run in rank order, so on a full tie the earlier (larger, then by name) node stays.
        if (key[0] > bestKey[0] || (key[0] === bestKey[0] && (key[1] > bestKey[1] || (key[1] === bestKey[1] && key[2] > bestKey[2])))) {
          best = i;
          bestKey = key;
        }
      }
    }
    const bound = state.boundNode[g.index]!;
    const keep = bound >= 0 ? bound : best;
    for (const list of lists) for (const i of list) if (i !== keep) this.room[i] = 0;
  }

  /** Hard spread across label values, then per-domain node distribution. */
  /**
   * `roomReady` false: a domain only needs its room up to `need`, and a domain with `need`
   * nodes that take one more has that much, so exact room (divisions) is computed only for
   * small or crowded domains.
   */
  private distributeDomains(g: Group, lists: readonly Int32Array[], need: number, roomReady: boolean): void {
    const state = this.state;
    const m = lists.length;
    const c = new Array<number>(m).fill(0);
    const u = new Array<number>(m).fill(0);
    const { counts } = state;
    const room = this.room;
    for (let d = 0; d < m; d++) {
      const list = lists[d]!;
      if (!roomReady) this.markFitsOne(g, list);
      let cd = 0;
      let ud = 0;
      for (let k = 0, len = list.length; k < len; k++) {
        const i = list[k]!;
        cd += counts[i]!;
        ud += room[i]!;
      }
      if (!roomReady && ud < need) {
        this.computeRoom(g, list, need);
        ud = 0;
        for (let k = 0, len = list.length; k < len; k++) ud += room[list[k]!]!;
      }
      c[d] = cd;
      u[d] = Math.min(ud, need);
    }
    // Ties on the last level go to the domain with the most room, then by value.
    const order = Array.from({ length: m }, (_, d) => d).sort((x, y) => u[y]! - u[x]! || x - y);
    const extra = waterFill(c, u, need, order);
    let min = Infinity;
    for (let d = 0; d < m; d++) min = Math.min(min, c[d]! + extra[d]!);
    for (let d = 0; d < m; d++) {
      const cap = Math.max(0, min + g.maxSkew - c[d]!);
      const e = Math.min(extra[d]!, cap);
      if (e > 0) this.distribute(g, lists[d]!, e, roomReady);
    }
  }

  /** `roomReady`: room[] already holds exact room for the list's nodes. */
  private distribute(g: Group, list: Int32Array, need: number, roomReady: boolean): void {
    if (g.strategy === 'binpack') {
      if (roomReady) this.binpack(list, need);
      else this.binpackLazy(g, list, need);
    } else this.spread(g, list, need, roomReady);
  }

  private pick(i: number, count: number): void {
    this.pickNode.push(i);
    this.pickCount.push(count);
  }

  /** Highest bucket s such that the buckets above it hold fewer than `need`; and how many to take from s. */
  private threshold(need: number): [number, number] {
    const hist = this.hist;
    let acc = 0;
    for (let s = MAX_SCORE; s >= 0; s--) {
      const h = hist[s]!;
      if (acc + h >= need) return [s, need - acc];
      acc += h;
    }
    return [-1, 0];
  }

  /** Fullest node first (most-allocated), larger then by name on ties; each takes all it can. */
  private binpack(list: Int32Array, need: number): void {
    const { room, score, hist } = this;
    const { freeCpu, freeMem, halfInvCpu, halfInvMem } = this.state;
    hist.fill(0);
    let total = 0;
    const len = list.length;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      const r = room[i]!;
      if (r <= 0) continue;
      // mostAllocatedScore, inlined: this runs once per node per group.
      const x = 100 - freeCpu[i]! * halfInvCpu[i]! - freeMem[i]! * halfInvMem[i]!;
      const s = x <= 0 ? 0 : x >= 100 ? 100 : x | 0;
      score[i] = s;
      hist[s]! += r;
      total += r;
    }
    if (total <= need) {
      for (let k = 0; k < len; k++) {
        const i = list[k]!;
        if (room[i]! > 0) this.pick(i, room[i]!);
      }
      return;
    }
    const [cut, atCut] = this.threshold(need);
    let left = atCut;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      const r = room[i]!;
      if (r <= 0) continue;
      const s = score[i]!;
      if (s > cut) this.pick(i, r);
      else if (s === cut && left > 0) {
        const t = Math.min(r, left);
        this.pick(i, t);
        left -= t;
      }
    }
  }

  /**
   * binpack without exact room: order the nodes that take one more by score (a stable
   * counting sort, so ties stay largest first, then by name), then walk from the fullest,
   * computing exact room only for the few nodes that will be filled.
   */
  private binpackLazy(g: Group, list: Int32Array, need: number): void {
    const { room, score, order, bucket } = this;
    const { freeCpu, freeMem, halfInvCpu, halfInvMem } = this.state;
    this.markFitsOne(g, list);
    bucket.fill(0);
    const len = list.length;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      if (room[i] === 0) continue;
      const x = 100 - freeCpu[i]! * halfInvCpu[i]! - freeMem[i]! * halfInvMem[i]!;
      const s = x <= 0 ? 0 : x >= 100 ? 100 : x | 0;
      score[i] = s;
      bucket[MAX_SCORE - s + 1]!++;
    }
    // bucket[b] becomes the start of score MAX_SCORE - b: best first.
    for (let b = 1; b <= MAX_SCORE + 1; b++) bucket[b]! += bucket[b - 1]!;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      if (room[i] === 0) continue;
      order[bucket[MAX_SCORE - score[i]!]!++] = i;
    }
    const total = bucket[MAX_SCORE]!;
    let left = need;
    for (let j = 0; j < total && left > 0; j++) {
      const i = order[j]!;
      const r = this.roomOf(g, i, left);
      if (r > 0) {
        this.pick(i, r);
        left -= r;
      }
    }
  }

  /**
   * Water-filling across nodes: every node with room gets the group up to level L−1, and the
   * last level goes to the least-allocated nodes. Same result as placing one by one with
   * "fewest replicas of the group, then least allocated, then larger, then name" as the order.
   */
  private spread(g: Group, list: Int32Array, need: number, roomReady: boolean): void {
    const room = this.room;
    const counts = this.state.counts;
    const len = list.length;
    if (!roomReady) {
      if (this.spreadOneLevel(g, list, need)) return;
      this.computeRoom(g, list, need);
    }
    let total = 0;
    let lo = Infinity;
    let hi = 0;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      const r = room[i]!;
      if (r <= 0) continue;
      total += r;
      const c = counts[i]!;
      if (c < lo) lo = c;
      if (c + r > hi) hi = c + r;
    }
    if (total === 0) return;
    if (total <= need) {
      for (let k = 0; k < len; k++) {
        const i = list[k]!;
        if (room[i]! > 0) this.pick(i, room[i]!);
      }
      return;
    }
    const fill = (level: number): number => {
      let s = 0;
      for (let k = 0; k < len; k++) {
        const i = list[k]!;
        const r = room[i]!;
        if (r <= 0) continue;
        const over = level - counts[i]!;
        if (over > 0) s += over < r ? over : r;
      }
      return s;
    };
    // Usually the first level already holds the need (a fresh group on a big pool).
    let level = lo + 1;
    if (fill(level) < need) {
      let l = level;
      let h = hi;
      while (h - l > 1) {
        const mid = Math.floor((l + h) / 2);
        if (fill(mid) >= need) h = mid;
        else l = mid;
      }
      level = h;
    }
    this.spreadAtLevel(g, list, need, level);
  }

  /**
   * The common case in one scoring pass: when the nodes at the group's lowest count that
   * take one more are enough for the need, the water level is that count + 1, each of them
   * takes at most one, and exact room (a division per node) does not matter. Returns false
   * when that is not the case, having placed nothing.
   */
  private spreadOneLevel(g: Group, list: Int32Array, need: number): boolean {
    const { score, hist } = this;
    const { counts, freeCpu, freeMem, halfInvCpu, halfInvMem, ports } = this.state;
    const cpu = g.cpu;
    const mem = g.memory;
    const maxPer = g.maxPerNode;
    const wanted = g.ports;
    const len = list.length;
    let low = Infinity;
    let atLow = 0;
    hist.fill(0);
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      score[i] = -1;
      const fc = freeCpu[i]!;
      const fm = freeMem[i]!;
      const c = counts[i]!;
      if ((cpu > 0 && fc < cpu) || (mem > 0 && fm < mem) || c >= maxPer || c > low) continue;
      if (wanted.length > 0) {
        const used = ports[i];
        if (used !== undefined && wanted.some((p) => used.has(p))) continue;
      }
      if (c < low) {
        // Scores kept for the old level are ignored below by the count check.
        low = c;
        atLow = 0;
        hist.fill(0);
      }
      // leastAllocatedScore with one replica added, inlined: once per node per group.
      const x = (fc - cpu) * halfInvCpu[i]! + (fm - mem) * halfInvMem[i]!;
      const s = x <= 0 ? 0 : x >= 100 ? 100 : x | 0;
      score[i] = s;
      hist[s]!++;
      atLow++;
    }
    if (atLow === 0) return true;
    if (atLow < need) return false;
    const [cut, atCut] = this.threshold(need);
    let left = atCut;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      const s = score[i]!;
      if (s < cut || counts[i] !== low) continue;
      if (s > cut || left-- > 0) this.pick(i, 1);
    }
    return true;
  }

  /** Everyone up to level − 1, then the last level to the least-allocated nodes. */
  private spreadAtLevel(g: Group, list: Int32Array, need: number, level: number): void {
    const { room, give, score, hist } = this;
    const { counts, freeCpu, freeMem, halfInvCpu, halfInvMem } = this.state;
    const len = list.length;
    hist.fill(0);
    const cpu = g.cpu;
    const mem = g.memory;
    let placed = 0;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      const r = room[i]!;
      score[i] = -1;
      give[i] = 0;
      if (r <= 0) continue;
      const below = level - 1 - counts[i]!;
      const b = below <= 0 ? 0 : below < r ? below : r;
      give[i] = b;
      placed += b;
      if (b < r && counts[i]! + b === level - 1) {
        // leastAllocatedScore with b + 1 replicas added, inlined: once per node per group.
        const x = (freeCpu[i]! - cpu * (b + 1)) * halfInvCpu[i]! + (freeMem[i]! - mem * (b + 1)) * halfInvMem[i]!;
        const s = x <= 0 ? 0 : x >= 100 ? 100 : x | 0;
        score[i] = s;
        hist[s]!++;
      }
    }
    const [cut, atCut] = this.threshold(need - placed);
    let left = atCut;
    for (let k = 0; k < len; k++) {
      const i = list[k]!;
      const s = score[i]!;
      let count = give[i]!;
      if (s >= 0 && (s > cut || (s === cut && left-- > 0))) count++;
      if (count > 0) this.pick(i, count);
    }
  }
}
