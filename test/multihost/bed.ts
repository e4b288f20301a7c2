/**
 * The multi-host test bed from the tests' side: three dockerd in network namespaces brought up
 * by scripts/testbed/multihost-up.sh (and always taken down by multihost-down.sh), the built
 * `berth` CLI run as a child process, and the nodes looked at only through their Engine API
 * sockets and from inside the namespaces — never through berth's own code.
 *
 * Each run gets its own directory and namespace names, so two runs (or a crashed earlier one)
 * never touch each other's bed.
 *
 * BERTH_MH_LOG=/path appends every berth run (command, output, exit code) to that file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const UP = join(ROOT, 'scripts/testbed/multihost-up.sh');
const DOWN = join(ROOT, 'scripts/testbed/multihost-down.sh');
const RESTART = join(ROOT, 'scripts/testbed/multihost-restart.sh');
const MAIN_SOCK = '/var/run/docker.sock';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** GET on a unix socket; resolves with status and body (never rejects: status 0 on errors). */
export function api(sock: string, path: string, opts: { method?: string; timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: sock, path, method: opts.method ?? 'GET', timeout: opts.timeoutMs ?? 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end();
  });
}

/** undefined when the bed can be built here; otherwise why the suite is skipped. */
export const unavailable: string | undefined = await (async () => {
  if (process.platform !== 'linux') return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and extra dockerd instances)';
  for (const cmd of ['ip', 'nsenter', 'unshare', 'dockerd', 'curl']) if (!onPath(cmd)) return `\`${cmd}\` is not installed`;
  if (!existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'))) return 'the CLI is not built (npm run build)';
  const pong = await api(MAIN_SOCK, '/_ping', { timeoutMs: 3000 });
  if (pong.status !== 200) return `no main Docker engine on ${MAIN_SOCK} to take the test images from (run scripts/ensure-docker.sh): ${pong.body}`;
  const images = spawnSync(join(ROOT, 'scripts/build-test-images.sh'), { encoding: 'utf8', timeout: 180_000 });
  if (images.status !== 0) return `test images could not be built: ${images.stderr.trim()}`;
  return undefined;
})();
/** Title suffix that makes a skip visible in the vitest report. */
export const skipNote = unavailable === undefined ? '' : ` (skipped: ${unavailable})`;

export interface Node {
  readonly name: string;
  readonly index: number;
  readonly sock: string;
  readonly address: string;
  readonly netns: string;
  /** The node's dockerd (the launcher execs into it). */
  readonly dockerdPid: number;
}

export interface Bed {
  readonly base: string;
  readonly prefix: string;
  readonly nodes: readonly Node[];
  readonly upMs: number;
  readonly upLog: string;
  node(name: string): Node;
  /** Starts a killed node's dockerd again (same data); returns the node with its new pid and the time it took. */
  restart(name: string): { node: Node; ms: number };
  /** Tears the bed down (idempotent); returns the script's output and duration. */
  down(): { ms: number; log: string };
}

/**
 * Brings up a 3-node bed. The app image's base (berth-test/busybox:1) is loaded on n1 only, so
 * an app image found on n2/n3 can only have been shipped there; berth/node-base:1 (the proxy
 * image's base) goes everywhere.
 */
export function bedUp(): Bed {
  reapStaleBeds();
  const id = randomBytes(3).toString('hex');
  const env = {
    ...process.env,
    TB_BASE: `/tmp/berth-mh-${id}`,
    TB_PREFIX: `berth-${id}-`,
    TB_NODES: '3',
    TB_MODE: 'bridge',
    TB_IMAGES: 'berth/node-base:1',
    TB_IMAGES_N1: 'berth-test/busybox:1',
    MAIN_SOCK,
  };
  let downed: { ms: number; log: string } | undefined;
  const down = (): { ms: number; log: string } => {
    if (downed) return downed;
    const t0 = Date.now();
    // TB_FAST: SIGKILL the daemons and their containers; nothing of the bed is kept anyway.
    const r = spawnSync('bash', [DOWN], { env: { ...env, TB_FAST: '1' }, encoding: 'utf8', timeout: 60_000 });
    downed = { ms: Date.now() - t0, log: `${r.stdout}${r.stderr}` };
    return downed;
  };
  const t0 = Date.now();
  const r = spawnSync('bash', [UP], { env, encoding: 'utf8', timeout: 120_000 });
  const upMs = Date.now() - t0;
  if (r.status !== 0) {
    const log = `${r.stdout}${r.stderr}`;
    down();
    throw new Error(`multihost-up.sh failed (${r.status ?? r.signal}):\n${log}`);
  }
  // Who owns the bed: a later run tears it down if this process dies without its afterAll.
  writeFileSync(join(env.TB_BASE, 'owner'), `${process.pid} ${env.TB_PREFIX}\n`);
  const parse = (out: string): Node[] =>
    [...out.matchAll(/^node (\d+) (\S+) (\S+) (\d+)$/gm)].map((m) => {
      const index = Number(m[1]);
      return { name: `n${index}`, index, sock: m[2] ?? '', address: m[3] ?? '', netns: `${env.TB_PREFIX}n${index}`, dockerdPid: Number(m[4]) };
    });
  const nodes = parse(r.stdout);
  if (nodes.length !== 3) {
    down();
    throw new Error(`multihost-up.sh reported ${nodes.length} nodes:\n${r.stdout}`);
  }
  return {
    base: env.TB_BASE,
    prefix: env.TB_PREFIX,
    nodes,
    upMs,
    upLog: r.stdout,
    node(name) {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name}`);
      return n;
    },
    restart(name) {
      const k = nodes.findIndex((x) => x.name === name);
      const t = Date.now();
      const out = spawnSync('bash', [RESTART, String(k + 1)], { env, encoding: 'utf8', timeout: 90_000 });
      const [node] = parse(out.stdout);
      if (out.status !== 0 || k < 0 || !node) throw new Error(`multihost-restart.sh ${name} failed (${out.status ?? out.signal}):\n${out.stdout}${out.stderr}`);
      nodes[k] = node;
      return { node, ms: Date.now() - t };
    },
    down,
  };
}

/** Beds of earlier runs whose test process died (killed vitest, no afterAll): taken down now. */
function reapStaleBeds(): void {
  for (const d of readdirSync('/tmp')) {
    if (!/^berth-mh-[0-9a-f]{6}$/.test(d)) continue;
    const base = join('/tmp', d);
    let owner: string[];
    try {
      owner = readFileSync(join(base, 'owner'), 'utf8').trim().split(' ');
    } catch {
      continue; // still coming up, or not ours
    }
    const [pid, prefix] = owner;
    if (!pid || !prefix || !gone(Number(pid))) continue;
    spawnSync('bash', [DOWN], { env: { ...process.env, TB_BASE: base, TB_PREFIX: prefix, TB_FAST: '1' }, stdio: 'ignore', timeout: 60_000 });
  }
}

/** A process is gone (dead, or a zombie PID 1 has not reaped yet: /proc status Z). */
export function gone(pid: number): boolean {
  try {
    return /^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the built `berth` with plain output; never rejects. */
export function berth(args: readonly string[], timeoutMs = 150_000): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const log = process.env['BERTH_MH_LOG'];
      if (log) appendFileSync(log, `\n$ berth ${args.join(' ')}\n${stdout}${stderr}(exit ${code ?? 'signal'} after ${Date.now() - t0} ms)\n`);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** An HTTP GET from inside a network namespace (curl under nsenter --net); undefined on failure. */
export function getFrom(netns: string, url: string, timeoutSec = 3): string | undefined {
  const r = spawnSync('nsenter', [`--net=/run/netns/${netns}`, 'curl', '-sf', '-m', String(timeoutSec), url], { encoding: 'utf8', timeout: (timeoutSec + 2) * 1000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface Container {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Containers of a cluster on a node (running and stopped). */
export async function containers(node: Node, cluster: string): Promise<Container[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`berth.cluster=${cluster}`] }));
  const r = await api(node.sock, `/v1.41/containers/json?all=1&filters=${filters}`);
  if (r.status !== 200) throw new Error(`${node.name}: list containers: ${r.status} ${r.body}`);
  const list = JSON.parse(r.body) as Array<{ Id: string; Names: string[]; ImageID: string; State: string; Labels: Record<string, string> }>;
  return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), image: c.ImageID, state: c.State, labels: c.Labels }));
}

/** Networks, volumes and images of a cluster on a node, by berth.cluster label. */
export async function labelled(node: Node, cluster: string): Promise<{ containers: number; networks: number; volumes: number; images: number }> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`berth.cluster=${cluster}`] }));
  const get = async (path: string): Promise<unknown> => {
    const r = await api(node.sock, `/v1.41/${path}?filters=${filters}`);
    if (r.status !== 200) throw new Error(`${node.name}: ${path}: ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  };
  return {
    containers: (await containers(node, cluster)).length,
    networks: ((await get('networks')) as unknown[]).length,
    volumes: (((await get('volumes')) as { Volumes: unknown[] | null }).Volumes ?? []).length,
    images: ((await get('images/json')) as unknown[]).length,
  };
}

/** True when the node has the image (by id or name). */
export async function hasImage(node: Node, image: string): Promise<boolean> {
  return (await api(node.sock, `/v1.41/images/${encodeURIComponent(image)}/json`)).status === 200;
}

/** How many times `image` was loaded (docker load / POST /images/load) into the node's engine. */
export async function loads(node: Node, image: string): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ type: ['image'], event: ['load'] }));
  const r = await api(node.sock, `/v1.41/events?since=0&until=${Math.ceil(Date.now() / 1000)}&filters=${filters}`);
  if (r.status !== 200) throw new Error(`${node.name}: events: ${r.status} ${r.body}`);
  return r.body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { Actor?: { ID?: string } })
    .filter((e) => e.Actor?.ID === image).length;
}
