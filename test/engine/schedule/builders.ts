import type { Placement, ScheduleGroup, ScheduleNode, Strategy } from '../../../packages/engine/src/schedule/index.ts';

export const Mi = 2 ** 20;
export const Gi = 2 ** 30;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `node('n1').labels({ zone: 'a' }).cpu(2000).memory(4 * Gi).build()` */
export function node(name: string) {
  const n: Mutable<ScheduleNode> = {
    name,
    labels: {},
    capacity: { cpu: 4000, memory: 8 * Gi },
    reachable: true,
    draining: false,
  };
  const b = {
    labels: (labels: Record<string, string>) => ((n.labels = labels), b),
    cpu: (cpu: number) => ((n.capacity = { ...n.capacity, cpu }), b),
    memory: (memory: number) => ((n.capacity = { ...n.capacity, memory }), b),
    allocated: (cpu: number, memory: number) => ((n.allocated = { cpu, memory }), b),
    unreachable: () => ((n.reachable = false), b),
    draining: () => ((n.draining = true), b),
    volumes: (...volumes: string[]) => ((n.volumes = volumes), b),
    ports: (...ports: number[]) => ((n.hostPortsInUse = ports), b),
    build: (): ScheduleNode => ({ ...n }),
  };
  return b;
}

/** `group('web').replicas(3).cpu(500).memory(256 * Mi).spread().build()` */
export function group(id: string) {
  const g: Mutable<ScheduleGroup> = {
    id,
    replicas: 1,
    requests: { cpu: 100, memory: 64 * Mi },
    strategy: 'spread',
    constraints: {},
  };
  const b = {
    replicas: (replicas: number) => ((g.replicas = replicas), b),
    cpu: (cpu: number) => ((g.requests = { ...g.requests, cpu }), b),
    memory: (memory: number) => ((g.requests = { ...g.requests, memory }), b),
    strategy: (strategy: Strategy) => ((g.strategy = strategy), b),
    binpack: () => ((g.strategy = 'binpack'), b),
    constraints: (constraints: Record<string, string>) => ((g.constraints = constraints), b),
    spreadBy: (label: string, maxSkew?: number) => ((g.spreadBy = maxSkew === undefined ? { label } : { label, maxSkew }), b),
    maxPerNode: (maxPerNode: number) => ((g.maxPerNode = maxPerNode), b),
    ports: (...hostPorts: number[]) => ((g.hostPorts = hostPorts), b),
    volumes: (...volumes: string[]) => ((g.volumes = volumes), b),
    priority: (priority: number) => ((g.priority = priority), b),
    build: (): ScheduleGroup => ({ ...g }),
  };
  return b;
}

export const at = (groupId: string, ordinal: number, node: string): Placement => ({ groupId, ordinal, node });

/** Replicas per node of one group, for compact expectations: `{ n1: 2, n2: 1 }`. */
export function perNode(placements: readonly Placement[], groupId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of placements) if (p.groupId === groupId) out[p.node] = (out[p.node] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
