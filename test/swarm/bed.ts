/**
 * The Swarm test bed from the tests' side: a real 3-node Docker Swarm (one dockerd per network
 * namespace, n1 the manager) brought up by scripts/testbed/swarm-up.sh and always taken down by
 * swarm-down.sh. Each run gets its own directory and namespace prefix (`bsw<id>-`), apart from
 * the multi-host bed's, so both suites can run at once. The nodes are looked at only through
 * their Engine API sockets and from inside the namespaces, never through berth's own code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, BIN, gone, ROOT } from '../multihost/bed.ts';

export { api, getFrom, gone, ROOT, skipNote, unavailable } from '../multihost/bed.ts';

const UP = join(ROOT, 'scripts/testbed/swarm-up.sh');
const DOWN = join(ROOT, 'scripts/testbed/swarm-down.sh');
const RESTART = join(ROOT, 'scripts/testbed/multihost-restart.sh');

export interface SwarmNode {
  readonly name: string;
  readonly index: number;
  readonly sock: string;
  readonly address: string;
  readonly netns: string;
  readonly dockerdPid: number;
}

export interface SwarmBed {
  readonly base: string;
  readonly prefix: string;
  readonly nodes: readonly SwarmNode[];
  /** The manager's socket (n1): `unix://…`, what a cluster.ts names as `manager`. */
  readonly manager: string;
  readonly upMs: number;
  node(name: string): SwarmNode;
  /** SIGKILLs a node's dockerd (by its pid). */
  kill(name: string): void;
  /** Starts a killed node's dockerd again, same data. */
  restart(name: string): SwarmNode;
  down(): { ms: number; log: string };
}

/** Brings up a 3-node Swarm; the test images (berth/node-base:1, berth-test/busybox:1) are on every node. */
export function swarmUp(): SwarmBed {
  reapStaleBeds();
  const id = randomBytes(3).toString('hex');
  const env = { ...process.env, TB_BASE: `/tmp/berth-sw-${id}`, TB_PREFIX: `bsw${id}-`, TB_NODES: '3', TB_IMAGES: 'berth/node-base:1 berth-test/busybox:1' };
  let downed: { ms: number; log: string } | undefined;
  const down = (): { ms: number; log: string } => {
    if (downed) return downed;
    // BERTH_SW_KEEP=1 leaves the bed up to look at (take it down with scripts/testbed/swarm-down.sh).
    if (process.env['BERTH_SW_KEEP'] === '1') return (downed = { ms: 0, log: `teardown skipped: TB_BASE=${env.TB_BASE} TB_PREFIX=${env.TB_PREFIX}` });
    const t0 = Date.now();
    const r = spawnSync('bash', [DOWN], { env: { ...env, TB_FAST: '1' }, encoding: 'utf8', timeout: 90_000 });
    downed = { ms: Date.now() - t0, log: `${r.stdout}${r.stderr}` };
    return downed;
  };
  const t0 = Date.now();
  const r = spawnSync('bash', [UP], { env, encoding: 'utf8', timeout: 180_000 });
  const upMs = Date.now() - t0;
  if (r.status !== 0) {
    down();
    throw new Error(`swarm-up.sh failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  writeFileSync(join(env.TB_BASE, 'owner'), `${process.pid} ${env.TB_PREFIX}\n`);
  const parse = (out: string): SwarmNode[] =>
    [...out.matchAll(/^node (\d+) (\S+) (\S+) (\d+)$/gm)].map((m) => {
      const index = Number(m[1]);
      return { name: `${env.TB_PREFIX}n${index}`, index, sock: m[2] ?? '', address: m[3] ?? '', netns: `${env.TB_PREFIX}n${index}`, dockerdPid: Number(m[4]) };
    });
  const nodes = parse(r.stdout);
  if (nodes.length !== 3 || !/^swarm \S+ 3$/m.test(r.stdout)) {
    down();
    throw new Error(`swarm-up.sh did not report a 3-node swarm:\n${r.stdout}`);
  }
  const node = (name: string): SwarmNode => {
    const n = nodes.find((x) => x.name === name || x.name.endsWith(`-${name}`));
    if (!n) throw new Error(`no node ${name}`);
    return n;
  };
  return {
    base: env.TB_BASE,
    prefix: env.TB_PREFIX,
    nodes,
    manager: `unix://${nodes[0]?.sock ?? ''}`,
    upMs,
    node,
    kill(name) {
      process.kill(node(name).dockerdPid, 'SIGKILL');
    },
    restart(name) {
      const n = node(name);
      const out = spawnSync('bash', [RESTART, String(n.index)], { env, encoding: 'utf8', timeout: 90_000 });
      const [again] = parse(out.stdout);
      if (out.status !== 0 || !again) throw new Error(`multihost-restart.sh ${name} failed (${out.status ?? out.signal}):\n${out.stdout}${out.stderr}`);
      nodes[n.index - 1] = again;
      return again;
    },
    down,
  };
}

/** Beds of earlier runs whose test process died without its afterAll: taken down now. */
function reapStaleBeds(): void {
  for (const d of readdirSync('/tmp')) {
    if (!/^berth-sw-[0-9a-f]{6}$/.test(d)) continue;
    const base = join('/tmp', d);
    let owner: string[];
    try {
      owner = readFileSync(join(base, 'owner'), 'utf8').trim().split(' ');
    } catch {
      continue;
    }
    const [pid, prefix] = owner;
    if (!pid || !prefix || !gone(Number(pid))) continue;
    spawnSync('bash', [DOWN], { env: { ...process.env, TB_BASE: base, TB_PREFIX: prefix, TB_FAST: '1' }, stdio: 'ignore', timeout: 90_000 });
  }
}

/** A Swarm API call on a node's socket, JSON-decoded; throws on a non-2xx answer. */
export async function swarmApi<T>(sock: string, path: string): Promise<T> {
  const r = await api(sock, `/v1.41${path}`);
  if (r.status < 200 || r.status >= 300) throw new Error(`${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

/** Services, secrets, configs and networks labelled for the cluster, as the manager lists them. */
export async function swarmObjects(sock: string, cluster: string): Promise<{ services: string[]; secrets: string[]; configs: string[]; networks: string[] }> {
  const f = encodeURIComponent(JSON.stringify({ label: [`berth.cluster=${cluster}`] }));
  const names = async (kind: string): Promise<string[]> => (await swarmApi<Array<{ Spec?: { Name: string }; Name?: string }>>(sock, `/${kind}?filters=${f}`)).map((x) => x.Spec?.Name ?? x.Name ?? '?');
  return { services: await names('services'), secrets: await names('secrets'), configs: await names('configs'), networks: await names('networks') };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the built `berth` (plain output) with extra environment; never rejects. BERTH_SW_LOG=/path logs every run. */
export function berth(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 240_000): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const log = process.env['BERTH_SW_LOG'];
      if (log) appendFileSync(log, `\n$ berth ${args.join(' ')}\n${stdout}${stderr}(exit ${code ?? 'signal'} after ${Date.now() - t0} ms)\n`);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/**
 * examples/shop copied into test/swarm/work/<run>/shop (inside the repo, so its imports resolve)
 * with only its Cluster's target changed: the bed's manager and its nodes. Returns cluster.ts's path.
 */
export function shopOnSwarm(bed: SwarmBed): string {
  const dir = join(ROOT, 'test/swarm/work', bed.prefix.replace(/-$/, ''), 'shop');
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'examples/shop'), dir, { recursive: true, filter: (src) => !/[\\/](\.berth|berth\.out|node_modules)$/.test(src) });
  const file = join(dir, 'cluster.ts');
  const program = readFileSync(file, 'utf8');
  const from = "const shop = new Cluster(app, 'shop');";
  if (!program.includes(from)) throw new Error(`examples/shop/cluster.ts no longer has ${from}`);
  const nodes = bed.nodes.map((n) => `{ name: '${n.name}', endpoint: 'unix://${n.sock}' }`).join(', ');
  writeFileSync(file, program.replace(from, `const shop = new Cluster(app, 'shop', { target: { swarm: { manager: '${bed.manager}', nodes: [${nodes}] } } });`));
  return file;
}

/**
 * A client that GETs `url` from inside a network namespace every 50 ms until stopped (curl,
 * 2 s timeout each), counting answers and failures. Stopped by a flag file, or by its pid.
 */
export function steadyClient(netns: string, url: string, workDir: string): { stop(): Promise<{ ok: number; failed: number; failures: string[] }> } {
  mkdirSync(workDir, { recursive: true });
  const stopFile = join(workDir, 'stop');
  const countFile = join(workDir, 'count');
  const failFile = join(workDir, 'failures');
  writeFileSync(failFile, '');
  const script = `ok=0; failed=0; while [ ! -f '${stopFile}' ]; do if out=$(curl -sS -f -m 2 -o /dev/null '${url}' 2>&1); then ok=$((ok+1)); else failed=$((failed+1)); echo "$(date +%T.%N) $out" >> '${failFile}'; fi; echo "$ok $failed" > '${countFile}'; sleep 0.05; done`;
  const child = spawn('nsenter', [`--net=/run/netns/${netns}`, 'bash', '-c', script], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    async stop() {
      writeFileSync(stopFile, '');
      const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      const [ok, failed] = readFileSync(countFile, 'utf8').trim().split(' ').map(Number);
      return { ok: ok ?? 0, failed: failed ?? 0, failures: readFileSync(failFile, 'utf8').split('\n').filter((l) => l !== '') };
    },
  };
}

/** Containers labelled for the cluster on a node (task containers carry their service's berth labels). */
export async function containersOn(node: SwarmNode, cluster: string): Promise<Array<{ Id: string; State: string; Labels: Record<string, string> }>> {
  const f = encodeURIComponent(JSON.stringify({ label: [`berth.cluster=${cluster}`] }));
  const r = await api(node.sock, `/v1.41/containers/json?all=1&filters=${f}`);
  if (r.status !== 200) throw new Error(`${node.name}: containers: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as Array<{ Id: string; State: string; Labels: Record<string, string> }>;
}
