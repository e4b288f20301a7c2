// The dev loop: time from saving a file in a build context to the new content being served,
// for examples/hello under `berth dev`, and for the same change with `docker-compose up -d
// --build` of hello exported by `berth export compose` (compose 1.29 has no watch). Same machine,
// same run. Usage: node bench/dev/run.mjs [rounds]   (needs npm run build, a Docker engine, docker-compose)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
const ROUNDS = Number(process.argv[2] ?? 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const body = (port) => new Promise((res) => { const r = http.get({ host: '127.0.0.1', port, path: '/', timeout: 1000 }, (x) => { let b = ''; x.on('data', (d) => (b += d)); x.on('end', () => res(b)); }); r.on('error', () => res('')); r.on('timeout', () => r.destroy()); });
async function until(port, marker, t0) {
  for (;;) {
    if ((await body(port)).includes(marker)) return Date.now() - t0;
    if (Date.now() - t0 > 120_000) throw new Error(`never served ${marker}`);
    await sleep(25);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'berth-bench-dev-'));
cpSync(join(ROOT, 'examples/hello'), dir, { recursive: true, filter: (s) => !/\/(berth\.out|\.berth|node_modules)(\/|$)/.test(s) });
const cluster = `bench-dev-${process.pid}`;
const port = await freePort();
const file = join(dir, 'cluster.ts');
writeFileSync(file, readFileSync(file, 'utf8').replace("new Cluster(app, 'hello'", `new Cluster(app, '${cluster}'`).replace('publish: 8080', `publish: ${port}`));
const page = join(dir, 'web/index.html');
const original = readFileSync(page, 'utf8');
const edit = (m) => writeFileSync(page, original.replace('</body>', `<p>${m}</p></body>`).includes(m) ? original.replace('</body>', `<p>${m}</p></body>`) : `${original}\n<p>${m}</p>\n`);

const berthTimes = [];
const dev = spawn(process.execPath, [BIN, 'dev', '--app', file, '--debounce', '100'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
let out = '';
dev.stdout.on('data', (d) => (out += d));
while (!out.includes('up to date')) await sleep(100);
for (let i = 0; i < ROUNDS; i++) {
  const m = `berth-${i}-${Date.now()}`;
  const t0 = Date.now();
  edit(m);
  berthTimes.push(await until(port, m, t0));
  // The next save only after this round's rollout finished (else it queues behind it).
  while ((out.match(/up to date/g) ?? []).length < i + 2) await sleep(100);
}
dev.kill('SIGINT');
await new Promise((r) => dev.on('close', r));
spawnSync(process.execPath, [BIN, 'destroy', '--app', file, '--yes'], { cwd: dir });

writeFileSync(page, original);
spawnSync(process.execPath, [BIN, 'export', 'compose', '--app', file, '--out', join(dir, 'compose.yaml')], { cwd: dir });
const dc = (...a) => spawnSync('docker-compose', ['-p', cluster, '-f', join(dir, 'compose.yaml'), ...a], { cwd: dir, encoding: 'utf8' });
dc('up', '-d', '--build');
const composeTimes = [];
for (let i = 0; i < ROUNDS; i++) {
  const m = `compose-${i}-${Date.now()}`;
  const t0 = Date.now();
  edit(m);
  dc('up', '-d', '--build');
  composeTimes.push(await until(port, m, t0));
}
dc('down', '--rmi', 'all', '--timeout', '2');
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ rounds: ROUNDS, berthDevMs: berthTimes, berthDevMedianMs: median(berthTimes), composeUpBuildMs: composeTimes, composeMedianMs: median(composeTimes) }));
