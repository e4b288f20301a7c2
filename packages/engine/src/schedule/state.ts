/**
 * The mutable working state of one schedule() call. Per-node numbers live in typed arrays,
 * indexed by the node's position in name order, because the bulk placer reads them
 * ~10^8 times on a 10k-node cluster and objects would cost both time and memory.
 */
import type { ScheduleGroup, ScheduleNode, Strategy } from './types.ts';

/** A group with defaults filled in and its sets normalised (sorted, unique). */
export interface Group {
  readonly index: number;
  readonly spec: ScheduleGroup;
  readonly id: string;
  readonly replicas: number;
  readonly cpu: number;
  readonly memory: number;
  readonly strategy: Strategy;
  readonly priority: number;
  /** [label, value] sorted by label. */
  readonly constraints: readonly (readonly [string, string])[];
  readonly spreadLabel: string | undefined;
  readonly maxSkew: number;
  readonly maxPerNode: number;
  readonly ports: readonly number[];
  readonly volumes: readonly string[];
  /** Groups with the same key see the same statically eligible nodes. */
  readonly poolKey: string;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function uniqueSorted<T extends string | number>(xs: readonly T[] | undefined): T[] {
  if (xs === undefined || xs.length === 0) return [];
  const out = [...new Set(xs)];
  out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

function nonNegInt(x: number | undefined, fallback: number): number {
  if (x === undefined || !Number.isFinite(x)) return fallback;
  return Math.max(0, Math.floor(x));
}

export function normaliseGroup(spec: ScheduleGroup, index: number): Group {
  const constraints = Object.entries(spec.constraints).sort((a, b) => byString(a[0], b[0]));
  const spreadLabel = spec.spreadBy?.label;
  const maxSkew = Math.max(1, nonNegInt(spec.spreadBy?.maxSkew, 1));
  const ports = uniqueSorted(spec.hostPorts);
  const volumes = uniqueSorted(spec.volumes);
  return {
    index,
    spec,
    id: spec.id,
    replicas: nonNegInt(spec.replicas, 0),
    cpu: Math.max(0, spec.requests.cpu),
    memory: Math.max(0, spec.requests.memory),
    strategy: spec.strategy === 'binpack' ? 'binpack' : 'spread',
    priority: spec.priority ?? 0,
    constraints,
    spreadLabel,
    maxSkew,
    maxPerNode: spec.maxPerNode === undefined ? Infinity : nonNegInt(spec.maxPerNode, 0),
    ports,
    volumes,
    poolKey: JSON.stringify([constraints, spreadLabel ?? null]),
  };
}

export class ClusterState {
  readonly n: number;
  readonly nodes: readonly ScheduleNode[];
  readonly names: readonly string[];
  readonly nodeIndex: Map<string, number>;
  readonly capCpu: Float64Array;
  readonly capMem: Float64Array;
  /** 50 / capacity (0 for a zero capacity): scorers multiply where they would divide. */
  readonly halfInvCpu: Float64Array;
  readonly halfInvMem: Float64Array;
  freeCpu: Float64Array;
  freeMem: Float64Array;
  /** Position of each node in the "largest first, then name" walk order: the index itself. */
  readonly rank: Int32Array;
  /** Host ports taken by anything, including replicas placed in this call; sparse. */
  ports: (Set<number> | undefined)[];
  /** Host ports taken by things outside this call, which preemption cannot free. */
  readonly foreignPorts: readonly (ReadonlySet<number> | undefined)[];
  /** Node-local volume → nodes holding it (walk order), including volumes created in this call. */
  volumeNodes: Map<string, number[]>;
  /**
   * Per group (by index), the one node a group with node-local volumes is bound to, or -1.
   * Needed beside volumeNodes because a volume name may exist on several nodes.
   */
  boundNode: Int32Array;
  readonly groups: readonly Group[];
  readonly groupById: ReadonlyMap<string, Group>;
  /** Per group (by index), the node of each ordinal, or -1 while unplaced. */
  nodeOf: Int32Array[];
  /**
   * Scratch: replicas of the group currently in focus, per node. Loaded and cleared by
   * withCounts() so that one array serves every group instead of one map per group.
   */
  readonly counts: Int32Array;

  /** Internal indices in node-name order, for output that lists every node. */
  readonly byName: Int32Array;

  /** `sortedByName`: the request's nodes, sorted by name and without duplicates. */
  constructor(sortedByName: readonly ScheduleNode[], groups: readonly Group[]) {
    const n = sortedByName.length;
    this.n = n;
    // Internal index = walk order (largest first, then name). Pools then list ascending
    // indices, so the hot loops read the typed arrays front to back instead of at random.
    const size = (x: ScheduleNode) => [Math.max(0, x.capacity.cpu), Math.max(0, x.capacity.memory)] as const;
    const order = Array.from({ length: n }, (_, k) => k);
    const sizes = sortedByName.map(size);
    order.sort((a, b) => sizes[b]![0] - sizes[a]![0] || sizes[b]![1] - sizes[a]![1] || a - b);
    const nodes = order.map((k) => sortedByName[k]!);
    this.byName = new Int32Array(n);
    for (let i = 0; i < n; i++) this.byName[order[i]!] = i;
    this.nodes = nodes;
    this.names = nodes.map((x) => x.name);
    this.nodeIndex = new Map(this.names.map((name, i) => [name, i]));
    this.capCpu = new Float64Array(n);
    this.capMem = new Float64Array(n);
    this.freeCpu = new Float64Array(n);
    this.freeMem = new Float64Array(n);
    this.ports = new Array<Set<number> | undefined>(n).fill(undefined);
    const foreign = new Array<Set<number> | undefined>(n).fill(undefined);
    this.volumeNodes = new Map();
    for (let i = 0; i < n; i++) {
      const node = nodes[i] as ScheduleNode;
      this.capCpu[i] = Math.max(0, node.capacity.cpu);
      this.capMem[i] = Math.max(0, node.capacity.memory);
      this.freeCpu[i] = this.capCpu[i]! - (node.allocated?.cpu ?? 0);
      this.freeMem[i] = this.capMem[i]! - (node.allocated?.memory ?? 0);
      if (node.hostPortsInUse !== undefined && node.hostPortsInUse.length > 0) {
        foreign[i] = new Set(node.hostPortsInUse);
        this.ports[i] = new Set(node.hostPortsInUse);
      }
      for (const v of node.volumes ?? []) {
        const at = this.volumeNodes.get(v);
        if (at === undefined) this.volumeNodes.set(v, [i]);
        else if (at[at.length - 1] !== i) at.push(i);
      }
    }
    this.foreignPorts = foreign;
    this.halfInvCpu = this.capCpu.map((c) => (c > 0 ? 50 / c : 0));
    this.halfInvMem = this.capMem.map((c) => (c > 0 ? 50 / c : 0));
    this.rank = Int32Array.from({ length: n }, (_, i) => i);
    this.groups = groups;
    this.groupById = new Map(groups.map((g) => [g.id, g]));
    this.nodeOf = new Array<Int32Array>(groups.length);
    for (const g of groups) this.nodeOf[g.index] = new Int32Array(g.replicas).fill(-1);
    this.counts = new Int32Array(n);
    this.boundNode = new Int32Array(groups.length).fill(-1);
  }

  usable(i: number): boolean {
    const node = this.nodes[i] as ScheduleNode;
    return node.reachable && !node.draining;
  }

  /** Runs fn with `counts` holding group g's replicas per node, and leaves it zeroed after. */
  withCounts<T>(g: Group, fn: () => T): T {
    const at = this.nodeOf[g.index] as Int32Array;
    const counts = this.counts;
    for (let k = 0; k < at.length; k++) {
      const i = at[k]!;
      if (i >= 0) counts[i]!++;
    }
    try {
      return fn();
    } finally {
      for (let k = 0; k < at.length; k++) {
        const i = at[k]!;
        if (i >= 0) counts[i] = 0;
      }
    }
  }

  /** Records `count` replicas of g on node i: resources, ports, volumes and counts. */
  take(g: Group, i: number, count: number): void {
    this.freeCpu[i]! -= g.cpu * count;
    this.freeMem[i]! -= g.memory * count;
    this.counts[i]! += count;
    if (g.ports.length > 0) {
      let set = this.ports[i];
      if (set === undefined) this.ports[i] = set = new Set();
      for (const p of g.ports) set.add(p);
    }
    if (g.volumes.length > 0) {
      if (this.boundNode[g.index] === -1) this.boundNode[g.index] = i;
      for (const v of g.volumes) if (!this.volumeNodes.has(v)) this.volumeNodes.set(v, [i]);
    }
  }

  /** Undoes one replica of g on node i (preemption). Volumes stay: data outlives replicas. */
  release(g: Group, i: number): void {
    this.freeCpu[i]! += g.cpu;
    this.freeMem[i]! += g.memory;
    if (g.ports.length > 0) {
      const set = this.ports[i];
      const foreign = this.foreignPorts[i];
      if (set !== undefined) for (const p of g.ports) if (foreign === undefined || !foreign.has(p)) set.delete(p);
    }
  }

  clone(): ClusterState {
    const c = Object.create(ClusterState.prototype) as ClusterState;
    Object.assign(c, this);
    c.freeCpu = this.freeCpu.slice();
    c.freeMem = this.freeMem.slice();
    c.ports = this.ports.map((s) => (s === undefined ? undefined : new Set(s)));
    c.volumeNodes = new Map([...this.volumeNodes].map(([k, v]) => [k, [...v]]));
    c.nodeOf = this.nodeOf.map((a) => a.slice());
    c.boundNode = this.boundNode.slice();
    return c;
  }
}

export { byString };
