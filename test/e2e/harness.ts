/**
 * The CLI end-to-end harness: runs the BUILT `berth` (packages/cli/bin/berth.mjs, from
 * `npm run build`) as a child process on fixture apps copied into tmp dirs, each with its own
 * cluster name and published ports, and looks at the Docker engine only through the `docker`
 * CLI and HTTP — never through berth's own code, so a test cannot agree with a bug.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** undefined when a Docker engine answers /_ping and the CLI is built; otherwise why the suite is skipped. */
export const unavailable: string | undefined = await (async () => {
  if (!existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'))) return 'the CLI is not built (npm run build)';
  const sock = (process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  const pong = await new Promise<string | undefined>((resolve) => {
    const req = http.get({ socketPath: sock, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `engine answered ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(`${sock}: ${e.message}`));
  });
  if (pong) return `no Docker engine: ${pong} (run scripts/ensure-docker.sh)`;
  const images = spawnSync(join(ROOT, 'scripts/build-test-images.sh'), { encoding: 'utf8', timeout: 180_000 });
  if (images.status !== 0) return `test images could not be built: ${images.stderr.trim()}`;
  return undefined;
})();

export const engineAvailable = unavailable === undefined;
/** Title suffix that makes a skip visible in the vitest report. */
export const skipNote = unavailable === undefined ? '' : ` (skipped: ${unavailable})`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `e2e-<what>-<random>`: no other test or run uses it; everything berth makes carries it as berth.cluster. */
export function uniqueCluster(what: string): string {
  return `e2e-${what}-${randomBytes(3).toString('hex')}`;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it from the ephemeral range). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface App {
  readonly dir: string;
  readonly file: string;
  readonly cluster: string;
  readonly port: number;
  /** Rewrites a file of the app (relative path) through `edit`. */
  edit(rel: string, edit: (text: string) => string): void;
  read(rel: string): string;
}

/**
 * Copies fixtures/<name> into a fresh tmp dir and gives it a unique cluster name and a free
 * published port: the fixture's `const CLUSTER = '…'` and `const PORT = …` lines are rewritten.
 */
export async function makeApp(fixture: string, what: string): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), `berth-e2e-${what}-`));
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  const cluster = uniqueCluster(what);
  const port = await freePort();
  const file = join(dir, 'cluster.ts');
  const app: App = {
    dir,
    file,
    cluster,
    port,
    edit(rel, f) {
      const p = join(dir, rel);
      writeFileSync(p, f(readFileSync(p, 'utf8')));
    },
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
  };
  app.edit('cluster.ts', (t) => t.replace(/const CLUSTER = '[^']*'/, `const CLUSTER = '${cluster}'`).replace(/const PORT = \d+/, `const PORT = ${port}`));
  return app;
}

/**
 * Copies an examples/<name> program into a tmp dir with its cluster renamed and its published
 * ports replaced by free ones; `node_modules/@berth-examples` points at the repo's examples so
 * a construct library import resolves as it does in the workspace.
 */
export async function copyExample(name: string, what: string): Promise<App & { ports: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), `berth-e2e-${what}-`));
  cpSync(join(ROOT, 'examples', name), dir, { recursive: true, filter: (src) => !/\/(berth\.out|\.berth|node_modules)(\/|$)/.test(src) });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules/@berth-examples'), join(dir, 'node_modules/@berth-examples'));
  const cluster = uniqueCluster(what);
  const file = join(dir, 'cluster.ts');
  let text = readFileSync(file, 'utf8').replace(new RegExp(`new Cluster\\(app, '${name}'`), `new Cluster(app, '${cluster}'`);
  const ports: number[] = [];
  for (const m of [...text.matchAll(/publish: (\d+)/g)]) {
    const p = await freePort();
    ports.push(p);
    text = text.replace(m[0], `publish: ${p}`);
  }
  writeFileSync(file, text);
  return {
    dir,
    file,
    cluster,
    port: ports[0] ?? 0,
    ports,
    edit(rel, f) {
      const p = join(dir, rel);
      writeFileSync(p, f(readFileSync(p, 'utf8')));
    },
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything printed so far. */
  stdout(): string;
  /** Resolves when stdout matches (rejects when the process ends first or after `timeoutMs`). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  readonly done: Promise<RunResult>;
}

/** Starts `node bin/berth.mjs …args` with plain output (not a terminal, NO_COLOR). */
export function start(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Running {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of watchers) w();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of watchers) w();
      resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - t0 });
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    done,
    waitFor(re, timeoutMs = 120_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${String(re)}; stdout so far:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const check = (): void => {
          if (re.test(out)) finish();
          else if (exited || child.exitCode !== null) finish(new Error(`berth exited before ${String(re)}; stdout:\n${out}\nstderr:\n${err}`));
        };
        function finish(e?: Error): void {
          clearTimeout(timer);
          watchers.delete(check);
          if (e) reject(e);
          else resolve();
        }
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs berth to completion. */
export function berth(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return start(args, opts).done;
}

export const deploy = (app: App, extra: readonly string[] = [], env?: Record<string, string>): Promise<RunResult> =>
  berth(['deploy', '--app', app.file, '--yes', ...extra], { cwd: app.dir, ...(env ? { env } : {}) });

export const destroy = (app: App): Promise<RunResult> => berth(['destroy', '--app', app.file, '--yes', '--delete-volumes', '--force-unlock'], { cwd: app.dir });

/** Output for an assertion message: what berth printed. */
export function shown(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

function docker(args: readonly string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export interface ContainerRow {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The cluster's containers, any state, as the engine lists them (docker ps -a --filter label=berth.cluster=…). */
export function containers(cluster: string, extraFilter: Readonly<Record<string, string>> = {}): ContainerRow[] {
  const filters = [`label=berth.cluster=${cluster}`, ...Object.entries(extraFilter).map(([k, v]) => `label=${k}=${v}`)].flatMap((f) => ['--filter', f]);
  const out = docker(['ps', '-a', '--no-trunc', ...filters, '--format', '{{json .}}']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const j = JSON.parse(line) as { ID: string; Names: string; State: string; Status: string; Labels: string };
      const labels = Object.fromEntries(
        j.Labels.split(',')
          .filter(Boolean)
          .map((kv) => {
            const i = kv.indexOf('=');
            return [kv.slice(0, i), kv.slice(i + 1)];
          }),
      );
      return { id: j.ID, name: j.Names, state: j.State, status: j.Status, labels };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Replica containers of one Deployment (berth.component=replica). */
export const replicas = (cluster: string, resource: string): ContainerRow[] => containers(cluster, { 'berth.resource': resource, 'berth.component': 'replica' });

export const isHealthyRunning = (c: ContainerRow): boolean => c.state === 'running' && /\(healthy\)/.test(c.status);

/** What the engine still holds for the cluster, by label: containers, networks, volumes and images. */
export function leftovers(cluster: string): { containers: string[]; networks: string[]; volumes: string[]; images: string[] } {
  const f = ['--filter', `label=berth.cluster=${cluster}`];
  const lines = (s: string): string[] => s.split('\n').filter(Boolean);
  return {
    containers: lines(docker(['ps', '-a', ...f, '--format', '{{.Names}}'])),
    networks: lines(docker(['network', 'ls', ...f, '--format', '{{.Name}}'])),
    volumes: lines(docker(['volume', 'ls', ...f, '--format', '{{.Name}}'])),
    images: lines(docker(['images', '-a', ...f, '--format', '{{.Repository}}:{{.Tag}}'])),
  };
}

/** What `leftovers` must be after destroy. */
export const NOTHING = { containers: [], networks: [], volumes: [], images: [] };

/** Test hygiene after `berth destroy` ran (and was checked): any image still labelled for the cluster, and the tmp dir. */
export function removeImagesAndDir(app: App): void {
  const ids = docker(['images', '-q', '--filter', `label=berth.cluster=${app.cluster}`]).split('\n').filter(Boolean);
  if (ids.length > 0) spawnSync('docker', ['rmi', '-f', ...new Set(ids)], { encoding: 'utf8' });
  rmSync(app.dir, { recursive: true, force: true });
}

/** Last-resort cleanup when a test failed before destroy: force-remove by label. */
export function forceRemove(cluster: string): void {
  const f = ['--filter', `label=berth.cluster=${cluster}`];
  const ids = docker(['ps', '-aq', ...f]).split('\n').filter(Boolean);
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { encoding: 'utf8' });
  for (const n of docker(['network', 'ls', '-q', ...f]).split('\n').filter(Boolean)) spawnSync('docker', ['network', 'rm', n], { encoding: 'utf8' });
  for (const v of docker(['volume', 'ls', '-q', ...f]).split('\n').filter(Boolean)) spawnSync('docker', ['volume', 'rm', '-f', v], { encoding: 'utf8' });
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One GET on 127.0.0.1:port over a fresh connection (no keep-alive: every request dials the proxy). */
export function get(port: number, path = '/', timeoutMs = 5000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** GETs until a 200 comes back (a just-created proxy may take a moment to listen). */
export async function getOk(port: number, path = '/', withinMs = 15_000): Promise<HttpAnswer> {
  const end = Date.now() + withinMs;
  let last: unknown;
  for (;;) {
    try {
      const r = await get(port, path);
      if (r.status === 200) return r;
      last = new Error(`status ${r.status}: ${r.body}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`GET 127.0.0.1:${port}${path} never answered 200: ${String(last)}`);
    await sleep(200);
  }
}

export interface SteadyResult {
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  /** The first failures (status or error message), for the assertion message. */
  readonly failures: readonly string[];
  /** Distinct bodies seen, in order of first appearance. */
  readonly bodies: readonly string[];
}

/**
 * A steady client: sequential GETs on 127.0.0.1:port through the Service's proxy, one every
 * `everyMs`, each over a new connection, until stopped (or `maxRequests`). Counts anything but
 * a 200 as failed.
 */
export function steadyClient(port: number, opts: { path?: string; everyMs?: number; maxRequests?: number } = {}): { stop(): Promise<SteadyResult> } {
  let stopped = false;
  let total = 0;
  let ok = 0;
  const failures: string[] = [];
  let failed = 0;
  const bodies: string[] = [];
  const loop = (async () => {
    while (!stopped && total < (opts.maxRequests ?? 100_000)) {
      total++;
      try {
        const r = await get(port, opts.path ?? '/', 10_000);
        if (r.status === 200) {
          ok++;
          const b = r.body.trim();
          if (!bodies.includes(b)) bodies.push(b);
        } else {
          failed++;
          if (failures.length < 10) failures.push(`status ${r.status}: ${r.body.slice(0, 200)}`);
        }
      } catch (e) {
        failed++;
        if (failures.length < 10) failures.push(e instanceof Error ? e.message : String(e));
      }
      await sleep(opts.everyMs ?? 20);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { total, ok, failed, failures, bodies };
    },
  };
}

/** The cluster's state file (what berth journals to <appDir>/.berth), parsed: throws when it does not parse. */
export function readState(app: App): { serial: number; resources: Record<string, { specHash: string; replicaHash?: string; kind: string; outputs: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(join(app.dir, '.berth', `${app.cluster}.state.json`), 'utf8')) as ReturnType<typeof readState>;
}
