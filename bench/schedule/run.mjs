// Scheduler benchmark: `node bench/schedule/run.mjs [--sizes small,large] [--no-write]`.
// Bundles the TypeScript scheduler with esbuild, then runs each scenario in its own child
// process pinned to one core (taskset -c 0 when available), so peak RSS is per scenario.
// Results go to stdout and to the `## schedule` section of BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bundle = join(here, 'work', 'schedule.mjs');
const Gi = 2 ** 30;
const Mi = 2 ** 20;

const SIZES = {
  small: { nodes: 1_000, groups: 1_000, replicas: 100_000 },
  large: { nodes: 10_000, groups: 10_000, replicas: 1_000_000 },
};

// ---------- workload (seeded, so every run schedules the same cluster) ----------

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pickFrom = (r, xs) => xs[Math.floor(r() * xs.length)];

const NODE_TYPES = [
  { cpu: 8_000, memory: 32 * Gi },
  { cpu: 16_000, memory: 64 * Gi },
  { cpu: 32_000, memory: 128 * Gi },
  { cpu: 16_000, memory: 128 * Gi },
];
const ZONES = ['eu-1a', 'eu-1b', 'eu-1c'];
const DISKS = ['ssd', 'hdd'];

function makeNodes(count, r, { healthy = false } = {}) {
  const nodes = [];
  for (let k = 0; k < count; k++) {
    const t = pickFrom(r, NODE_TYPES);
    const sys = healthy ? 0 : Math.floor(r() * 4) * 250; // daemons already running there
    const node = {
      name: `node-${String(k).padStart(5, '0')}`,
      labels: { zone: ZONES[k % 3], disk: DISKS[Math.floor(k / 3) % 2], type: `t${NODE_TYPES.indexOf(t)}` },
      capacity: { cpu: t.cpu, memory: t.memory },
      allocated: { cpu: sys, memory: sys * 2 * Mi },
      reachable: healthy || r() > 0.003,
      draining: !healthy && r() < 0.003,
    };
    if (!healthy && k % 500 === 7) node.hostPortsInUse = [9100];
    if (!healthy && k % 1000 === 3) node.volumes = [`vol-${k}`];
    nodes.push(node);
  }
  return nodes;
}

/** Replica counts with mean total/groups, summing to exactly `total`. */
function sizes(groups, total, r) {
  const mean = total / groups;
  const out = Array.from({ length: groups }, () => Math.max(1, Math.round(mean * (0.1 + 1.8 * r()))));
  let diff = total - out.reduce((a, b) => a + b, 0);
  for (let k = 0; diff !== 0; k = (k + 1) % groups) {
    const step = diff > 0 ? 1 : out[k] > 1 ? -1 : 0;
    out[k] += step;
    diff -= step;
  }
  return out;
}

const CPU_REQ = [50, 100, 100, 150, 250];
const MEM_REQ = [64 * Mi, 128 * Mi, 256 * Mi, 512 * Mi];

function mixedWorkload(size, seed) {
  const r = rng(seed);
  const nodes = makeNodes(size.nodes, r);
  const counts = sizes(size.groups, size.replicas, r);
  const groups = counts.map((replicas, k) => {
    const g = {
      id: `app-${String(k).padStart(5, '0')}`,
      replicas,
      requests: { cpu: pickFrom(r, CPU_REQ), memory: pickFrom(r, MEM_REQ) },
      strategy: r() < 0.5 ? 'spread' : 'binpack',
      constraints: {},
    };
    const c = r();
    if (c < 0.2) g.constraints = { zone: pickFrom(r, ZONES) };
    else if (c < 0.35) g.constraints = { disk: pickFrom(r, DISKS) };
    else if (c < 0.4) g.constraints = { zone: pickFrom(r, ZONES), disk: 'ssd' };
    if (r() < 0.3) g.spreadBy = { label: 'zone' };
    if (r() < 0.1) g.maxPerNode = 2;
    // Host ports and volumes hold a replica per node / all on one node: keep such groups small
    // (the surplus goes to the next group, so the total stays exact).
    let cap = Infinity;
    if (r() < 0.03) {
      g.hostPorts = [20_000 + k];
      cap = 40;
    }
    if (k % 997 === 5) {
      g.volumes = [`vol-${(k * 7) % size.nodes}`];
      cap = 3;
    }
    if (g.replicas > cap && k + 1 < counts.length) {
      counts[k + 1] += g.replicas - cap;
      g.replicas = cap;
    }
    if (r() < 0.1) g.priority = 100;
    return g;
  });
  return { nodes, groups };
}

/** Bin-pack quality: unconstrained bin-pack groups on healthy, empty, mixed-capacity nodes. */
function binpackWorkload(size, seed) {
  const r = rng(seed);
  const nodes = makeNodes(size.nodes, r, { healthy: true });
  const counts = sizes(size.groups, Math.round(size.replicas * 0.6), r);
  const groups = counts.map((replicas, k) => ({
    id: `pack-${String(k).padStart(5, '0')}`,
    replicas,
    requests: { cpu: pickFrom(r, CPU_REQ), memory: pickFrom(r, MEM_REQ) },
    strategy: 'binpack',
    constraints: {},
  }));
  return { nodes, groups };
}

// ---------- measurements ----------

function matches(node, g) {
  if (!node.reachable || node.draining) return false;
  for (const [k, v] of Object.entries(g.constraints)) if (node.labels[k] !== v) return false;
  return g.spreadBy === undefined || node.labels[g.spreadBy.label] !== undefined;
}

function analyse(req, res) {
  const idx = new Map(req.nodes.map((n, i) => [n.name, i]));
  const byId = new Map(req.groups.map((g) => [g.id, g]));
  const freeCpu = req.nodes.map((n) => n.capacity.cpu - (n.allocated?.cpu ?? 0));
  const freeMem = req.nodes.map((n) => n.capacity.memory - (n.allocated?.memory ?? 0));
  const perGroup = new Map();
  for (const p of res.placements) {
    const g = byId.get(p.groupId);
    const i = idx.get(p.node);
    freeCpu[i] -= g.requests.cpu;
    freeMem[i] -= g.requests.memory;
    let m = perGroup.get(p.groupId);
    if (m === undefined) perGroup.set(p.groupId, (m = new Map()));
    m.set(i, (m.get(i) ?? 0) + 1);
  }
  let overCapacity = 0;
  let used = 0;
  for (let i = 0; i < req.nodes.length; i++) {
    if (freeCpu[i] < 0 || freeMem[i] < 0) overCapacity++;
  }
  for (const n of req.nodes) void n;
  const usedNodes = new Set(res.placements.map((p) => p.node));
  used = usedNodes.size;
  // Spread promise: among nodes that could still take one more replica, no node of the group
  // holds 2+ more than them (the skew a better placement could have avoided).
  let nodeSkew = 0;
  let zoneSkew = 0;
  let spreadGroups = 0;
  const pools = new Map();
  for (const g of req.groups) {
    if (g.strategy !== 'spread') continue;
    spreadGroups++;
    const key = JSON.stringify([g.constraints, g.spreadBy?.label ?? null]);
    let pool = pools.get(key);
    if (pool === undefined) pools.set(key, (pool = req.nodes.map((n, i) => (matches(n, g) ? i : -1)).filter((i) => i >= 0)));
    const m = perGroup.get(g.id) ?? new Map();
    let max = 0;
    for (const c of m.values()) max = Math.max(max, c);
    let openMin = max;
    for (const i of pool) {
      const c = m.get(i) ?? 0;
      const open =
        freeCpu[i] >= g.requests.cpu &&
        freeMem[i] >= g.requests.memory &&
        (g.maxPerNode === undefined || c < g.maxPerNode) &&
        (g.hostPorts === undefined || c === 0) &&
        g.volumes === undefined;
      if (open && c < openMin) openMin = c;
    }
    if (g.spreadBy === undefined) nodeSkew = Math.max(nodeSkew, max - openMin);
    else {
      const z = new Map();
      for (const i of pool) z.set(req.nodes[i].labels.zone, (z.get(req.nodes[i].labels.zone) ?? 0) + (m.get(i) ?? 0));
      const vals = [...z.values()];
      zoneSkew = Math.max(zoneSkew, Math.max(...vals) - Math.min(...vals));
    }
  }
  return { overCapacity, usedNodes: used, nodeSkew, zoneSkew, spreadGroups };
}

/** Fractional bound on the dominant resource: fewest nodes, largest first, whose capacity covers the demand. */
function binpackBound(req) {
  let cpu = 0;
  let mem = 0;
  for (const g of req.groups) {
    cpu += g.replicas * g.requests.cpu;
    mem += g.replicas * g.requests.memory;
  }
  const need = (total, cap) => {
    const caps = req.nodes.map(cap).sort((a, b) => b - a);
    let k = 0;
    for (let s = 0; s < total; k++) s += caps[k];
    return k;
  };
  return Math.max(need(cpu, (n) => n.capacity.cpu), need(mem, (n) => n.capacity.memory));
}

async function child(scenario, sizeName) {
  const { schedule } = await import(pathToFileURL(bundle).href);
  const size = SIZES[sizeName];
  const req = scenario === 'binpack' ? binpackWorkload(size, 7) : mixedWorkload(size, 42);
  const replicas = req.groups.reduce((s, g) => s + g.replicas, 0);
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  let res = schedule(req);
  let ms = performance.now() - t0;
  let cpu = process.cpuUsage(c0);
  const out = { scenario, size: sizeName, nodes: req.nodes.length, groups: req.groups.length, replicas };
  if (scenario === 'preempt') {
    // The full cluster again, plus urgent work that only fits by evicting: 50 Deployments
    // (2 % of the replicas: 2 cpu, 4 Gi each), priority 1000, pinned to one zone.
    const each = Math.round((size.replicas * 0.02) / 50);
    const urgent = Array.from({ length: 50 }, (_, k) => ({
      id: `urgent-${String(k).padStart(2, '0')}`,
      replicas: each,
      requests: { cpu: 2000, memory: 4 * Gi },
      strategy: k % 2 === 0 ? 'spread' : 'binpack',
      constraints: { zone: ZONES[0] },
      priority: 1000,
    }));
    const again = { ...req, groups: [...req.groups, ...urgent], current: res.placements, allowPreemption: true };
    out.replicas = replicas + 50 * each;
    out.urgent = 50 * each;
    t0 = performance.now();
    c0 = process.cpuUsage();
    res = schedule(again);
    ms = performance.now() - t0;
    cpu = process.cpuUsage(c0);
    out.victims = res.preemptions.reduce((s, p) => s + p.victims.length, 0);
    out.urgentPlaced = res.placements.filter((p) => p.groupId.startsWith('urgent-')).length;
    req.groups = again.groups;
  }
  if (scenario === 'resched') {
    // A second call with everything already running: the keep phase on 1M replicas.
    const again = { ...req, current: res.placements };
    t0 = performance.now();
    c0 = process.cpuUsage();
    res = schedule(again);
    ms = performance.now() - t0;
    cpu = process.cpuUsage(c0);
    out.moves = res.moves.length;
    out.changed = res.placements.length - again.current.length;
  }
  out.ms = Math.round(ms);
  // CPU time of this process: what one core spent, whatever else the machine was running.
  out.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  out.placed = res.placements.length;
  out.unplaced = res.unplaced.length;
  out.preemptions = res.preemptions.length;
  out.replicasPerSecond = Math.round((replicas / ms) * 1000);
  if (res.unplaced.length > 0) {
    t0 = performance.now();
    const first = res.unplaced[0];
    out.firstUnplacedSummary = first.summary.slice(0, 2).map((s) => `${s.count}× ${s.examples[0]}`);
    out.explainMs = Math.round(performance.now() - t0);
  }
  Object.assign(out, analyse(req, res));
  if (scenario === 'binpack') out.bound = binpackBound(req);
  out.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  const sizeArg = args.find((a) => a.startsWith('--sizes='))?.slice(8) ?? 'small,large';
  const write = !args.includes('--no-write');
  const { build } = await import('esbuild');
  mkdirSync(join(here, 'work'), { recursive: true });
  await build({
    entryPoints: [join(root, 'packages/engine/src/schedule/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    logLevel: 'warning',
  });
  const pin = existsSync('/usr/bin/taskset') ? ['taskset', '-c', '0'] : [];
  const rows = [];
  for (const sizeName of sizeArg.split(',')) {
    for (const scenario of ['mixed', 'binpack', 'resched', 'preempt']) {
      const cmd = [...pin, process.execPath, fileURLToPath(import.meta.url), '--child', scenario, sizeName];
      const load = loadavg()[0];
      const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        process.exitCode = 1;
        continue;
      }
      const row = JSON.parse(r.stdout.trim().split('\n').pop());
      row.load = Math.round(load * 10) / 10;
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  if (write && rows.length > 0) writeSection(rows, pin.length > 0);
}

function writeSection(rows, pinned) {
  const file = join(root, 'BENCHMARKS.md');
  const fmt = (n) => n.toLocaleString('en-US');
  const line = (r) => {
    const quality =
      r.scenario === 'binpack'
        ? `${fmt(r.usedNodes)} nodes used / bound ${fmt(r.bound)} (+${(((r.usedNodes - r.bound) / r.bound) * 100).toFixed(1)} %)`
        : r.scenario === 'resched'
          ? `${r.moves} moves, ${r.changed} placements changed`
          : r.scenario === 'preempt'
            ? `${fmt(r.urgentPlaced)} of ${fmt(r.urgent)} urgent replicas placed, ${fmt(r.preemptions)} preemptions evicting ${fmt(r.victims)}; ${fmt(r.unplaced)} unplaced`
          : `node skew ${r.nodeSkew}, zone skew ${r.zoneSkew} (${fmt(r.spreadGroups)} spread groups); ${fmt(r.unplaced)} unplaced`;
    return `| ${r.scenario} | ${fmt(r.nodes)} | ${fmt(r.groups)} | ${fmt(r.replicas)} | ${(r.ms / 1000).toFixed(2)} s | ${(r.cpuMs / 1000).toFixed(2)} s | ${fmt(Math.round((r.replicas / r.cpuMs) * 1000))} | ${fmt(r.maxRssMiB)} MiB | ${r.overCapacity} | ${quality} | ${r.load} |`;
  };
  const notes = rows
    .filter((r) => r.firstUnplacedSummary !== undefined && r.scenario === 'mixed')
    .map((r) => `- ${r.size}: ${r.unplaced} unplaced; the first one's reasons, summarised: ${r.firstUnplacedSummary.map((x) => `\`${x}\``).join(', ')} (explanation built on read in ${r.explainMs} ms).`);
  const section = `## schedule

Run: \`node bench/schedule/run.mjs\` (no npm needed; \`--sizes=small\` for the quick one,
\`--no-write\` to leave this file alone). Each scenario runs in its own process${pinned ? ' pinned to one core (`taskset -c 0`)' : ''};
time is the \`schedule()\` call alone (workload generation and checking excluded), peak RSS is
the whole child process (\`process.resourceUsage().maxRSS\`: workload, result and checks included).
Node ${process.version}, measured ${new Date().toISOString().slice(0, 10)}.

| scenario | nodes | groups | replicas | wall | CPU | replicas/s (CPU) | peak RSS | nodes over capacity | quality | load avg |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |
${rows.map(line).join('\n')}

*wall* is the elapsed time of the \`schedule()\` call; *CPU* is the user + system time the
process spent in it (\`process.cpuUsage\`). This machine has ${cpus().length} cores shared with
other work; *load avg* is the 1-minute load when the scenario started. Under load the wall
time mostly measures waiting for the core, so the CPU time is the figure to compare
(it is inflated too, by cache sharing, but far less).
${notes.length > 0 ? `\nUnplaced replicas in the mixed scenario (by design: a group with a node-local volume lives on\none node, and a hard spread by zone then caps it at maxSkew):\n${notes.join('\n')}\n` : ''}
Scenarios:
- **mixed**: 4 node shapes (8–32 cpu, 32–128 Gi), 3 zones × 2 disk types, some system
  allocation, 0.3 % unreachable and 0.3 % draining nodes; Deployments of 10–190 replicas
  (mean 100), half spread and half bin-pack, 40 % with label constraints, 30 % spread by
  zone, 10 % \`maxPerNode: 2\`, 3 % host ports, a few node-local volumes, 10 % high priority.
  *Node skew* is the largest (replicas on a node − replicas on an emptiest node that could
  still take one) over spread groups; *zone skew* is the largest (busiest − emptiest zone)
  over spread-by-zone groups. ≤ 1 is the promise.
- **binpack**: only bin-pack groups, no constraints, healthy empty nodes, 60 % of the
  replicas of the size. The bound is the fractional bound on each resource, taken as the
  larger of the two: the fewest nodes, largest first, whose summed capacity covers the
  total request (a lower bound on any packing; the real optimum may be higher).
- **preempt**: the mixed cluster running, plus 50 new priority-1000 Deployments (2 % more
  replicas, 2 cpu and 4 Gi each) pinned to one zone, with \`allowPreemption\`: the preemption pass
  evicts lower-priority replicas and re-places them where they still fit. The cluster was
  already full enough that each 2-cpu replica evicts about 13 small ones, most of which fit
  nowhere else: they are the unplaced count, each with its reasons.
- **resched**: the mixed cluster scheduled again with every replica already running where
  the first call put it (the \`berth diff\` case): the keep phase runs every filter on every
  replica; expected: no moves, nothing changed.

Published reference points (their figures, from their own write-ups, not measured here):
- Kubernetes kube-scheduler, scheduler_perf: roughly 600–800 pods/s scheduled at 5,000 nodes
  (one pod per cycle, full filter and score plugins).
- HashiCorp Nomad C1M: 1,000,000 containers on 5,000 hosts in under 5 minutes;
  C2M: 2,000,000 containers on 6,100 hosts in 22 minutes.
These are end-to-end systems (API, state store, agents starting containers); berth's figure
is only the pure placement computation, so the comparison is of order of magnitude, not a race.
`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf('\n## schedule\n');
  if (start === -1) text = `${text.trimEnd()}\n\n${section}`;
  else {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start + 1) + section + (next === -1 ? '' : text.slice(next));
  }
  writeFileSync(file, text);
}

// Imported (by a debugging session, say), it only lends its workloads.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

export { mixedWorkload, binpackWorkload, analyse, binpackBound, SIZES };
