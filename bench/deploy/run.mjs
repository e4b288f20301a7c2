// bench/deploy: berth deploy against docker-compose (1.29.2, /usr/bin/docker-compose) on the same
// app — N Deployments (compose: services) of one replica of berth-test/busybox:1 serving HTTP on
// :8080, with the same 1 s health check, and the same wall clock for both:
//   cold     deploy until every replica is healthy (berth deploy returns then; compose: `up -d`,
//            then poll `docker ps` until all N are healthy)
//   noop     deploy again with nothing changed (compose: `up -d`)
//   change   one service's env changes, until it is healthy again
//   destroy  berth destroy --yes --delete-volumes / docker-compose down -v
// Each phase runs --reps times (default 3), berth and compose interleaved in one process, and
// the medians go into BENCHMARKS.md under `## deploy` (only that section is rewritten).
//
//   node bench/deploy/run.mjs [--sizes=5,20,50] [--reps=3] [--no-write] [--only=berth|compose] [--from=results.json]
//
// Needs: a Docker engine, the built CLI (npm run build), scripts/build-test-images.sh, GNU time
// (/usr/bin/time, Debian's `time`) for the no-op's CPU time.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BERTH = join(root, 'packages/cli/bin/berth.mjs');
const IMAGE = 'berth-test/busybox:1';
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const sizes = String(args.sizes ?? '5,20,50').split(',').map(Number);
const reps = Number(args.reps ?? 3);
const only = args.only;
const work = join(root, 'bench/deploy/work');
const tag = `${process.pid.toString(36)}`;

const log = (s) => process.stderr.write(`${s}\n`);

function run(cmd, argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ms, out: r.stdout };
}

const TIME = '/usr/bin/time';
const timeFile = join(work, `time-${tag}.txt`);

if (!args.from && !existsSync(TIME)) {
  log(`bench/deploy needs GNU time at ${TIME} for the no-op's CPU time: apt-get install time`);
  process.exit(2);
}

/** Like run, and also the CPU time (user + sys, ms) the command and its children used, from GNU time. */
function runCpu(cmd, argv, opts = {}) {
  mkdirSync(work, { recursive: true });
  const r = run(TIME, ['-f', '%U %S', '-o', timeFile, cmd, ...argv], opts);
  const [u, s] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { ...r, cpu: (u + s) * 1000 };
}

/** The berth program: N Deployments, the image's own CMD (httpd on :8080), health every 1 s. */
function berthProgram(cluster, n, changed) {
  const lines = [
    `import { App, Cluster, Deployment, Image } from '@berth/core';`,
    `const app = new App();`,
    `const c = new Cluster(app, '${cluster}');`,
    `const image = new Image(c, 'busybox', { name: '${IMAGE}' });`,
    `for (let i = 0; i < ${n}; i++) {`,
    `  new Deployment(c, \`svc-\${i}\`, {`,
    `    image, replicas: 1, ports: [8080],`,
    `    env: { REV: i === 0 ? '${changed ? 2 : 1}' : '1' },`,
    `    health: { http: { path: '/', port: 8080 }, interval: '1s', timeout: '5s', retries: 3 },`,
    `  });`,
    `}`,
    `export default app;`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The same app for compose: same image, command, healthcheck (the test berth generates), init. */
function composeFile(n, changed) {
  const out = ['version: "2.4"', 'services:'];
  for (let i = 0; i < n; i++) {
    out.push(
      `  svc-${i}:`,
      `    image: ${IMAGE}`,
      `    init: true`,
      `    environment:`,
      `      REV: "${i === 0 && changed ? 2 : 1}"`,
      `    healthcheck:`,
      `      test: ["CMD-SHELL", "wget -q -O /dev/null 'http://127.0.0.1:8080/' || curl -fsS -o /dev/null 'http://127.0.0.1:8080/' || exit 1"]`,
      `      interval: 1s`,
      `      timeout: 5s`,
      `      retries: 3`,
    );
  }
  return `${out.join('\n')}\n`;
}

function healthyCount(filter) {
  const { out } = run('docker', ['ps', '--filter', filter, '--filter', 'health=healthy', '--format', '{{.ID}}']);
  return out.split('\n').filter(Boolean).length;
}

/** Polls every 100 ms until `want` containers matching `filter` are healthy; returns when. */
function waitHealthy(filter, want, timeoutMs = 300_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (healthyCount(filter) >= want) return;
    if (Date.now() > end) throw new Error(`not all healthy within ${timeoutMs} ms (${filter})`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

/** After a change: the changed container is the one created last; wait until it is healthy. */
function waitChangedHealthy(filter, service) {
  const end = Date.now() + 120_000;
  for (;;) {
    const { out } = run('docker', ['ps', '--filter', filter, '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Status}}']);
    const rows = out.split('\n').filter(Boolean);
    if (rows.length === 1 && /\(healthy\)/.test(rows[0])) return;
    if (Date.now() > end) throw new Error(`${service} not healthy after the change`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

function berthSuite(n, rep) {
  const cluster = `bench-${tag}-b${n}-${rep}`;
  const dir = join(work, cluster);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const app = join(dir, 'cluster.ts');
  const berth = (...a) => run(process.execPath, [BERTH, ...a, '--app', app, '--yes'], { cwd: dir });
  writeFileSync(app, berthProgram(cluster, n, false));
  const r = {};
  try {
    r.cold = berth('deploy').ms;
    const running = healthyCount(`label=berth.cluster=${cluster}`);
    if (running !== n) throw new Error(`berth: ${running}/${n} healthy after deploy`);
    const noop = runCpu(process.execPath, [BERTH, 'deploy', '--app', app, '--yes'], { cwd: dir });
    if (!/no changes/.test(noop.out)) throw new Error(`berth: the no-op deploy changed something:\n${noop.out}`);
    r.noop = noop.ms;
    r.noopCpu = noop.cpu;
    writeFileSync(app, berthProgram(cluster, n, true));
    r.change = berth('deploy').ms;
    if (healthyCount(`label=berth.cluster=${cluster}`) !== n) throw new Error('berth: not all healthy after the change');
    r.destroy = run(process.execPath, [BERTH, 'destroy', '--app', app, '--yes', '--delete-volumes'], { cwd: dir }).ms;
  } finally {
    spawnSync(process.execPath, [BERTH, 'destroy', '--app', app, '--yes', '--delete-volumes', '--force-unlock'], { cwd: dir, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

function composeSuite(n, rep) {
  const project = `bench-${tag}-c${n}-${rep}`;
  const dir = join(work, project);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'docker-compose.yml');
  const compose = (...a) => run('docker-compose', ['-p', project, '-f', file, ...a], { cwd: dir });
  const filter = `label=com.docker.compose.project=${project}`;
  writeFileSync(file, composeFile(n, false));
  const r = {};
  try {
    const t0 = Date.now();
    compose('up', '-d');
    waitHealthy(filter, n);
    r.cold = Date.now() - t0;
    const noop = runCpu('docker-compose', ['-p', project, '-f', file, 'up', '-d'], { cwd: dir });
    r.noop = noop.ms;
    r.noopCpu = noop.cpu;
    writeFileSync(file, composeFile(n, true));
    const t1 = Date.now();
    compose('up', '-d');
    waitChangedHealthy(filter, 'svc-0');
    r.change = Date.now() - t1;
    if (healthyCount(filter) !== n) throw new Error('compose: not all healthy after the change');
    r.destroy = compose('down', '-v').ms;
  } finally {
    spawnSync('docker-compose', ['-p', project, '-f', file, 'down', '-v'], { cwd: dir, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

const PHASES = ['cold', 'noop', 'change', 'destroy'];

/** Measures (or, with --from=results.json, re-renders an earlier run). */
function measure() {
  const results = {};
  const load = [loadavg()[0]];
  for (const n of sizes) {
    results[n] = { berth: [], compose: [] };
    for (let rep = 0; rep < reps; rep++) {
      // Interleaved, alternating who goes first, so drift in machine load hits both alike.
      const order = rep % 2 === 0 ? ['berth', 'compose'] : ['compose', 'berth'];
      for (const who of order) {
        if (only && only !== who) continue;
        // A rep whose tool failed (say, compose's `down` racing the engine: "network has active
        // endpoints") is logged and run once more, so one hiccup does not lose the whole run.
        let r;
        for (let attempt = 0; ; attempt++) {
          try {
            r = who === 'berth' ? berthSuite(n, `${rep}${attempt ? `r${attempt}` : ''}`) : composeSuite(n, `${rep}${attempt ? `r${attempt}` : ''}`);
            break;
          } catch (e) {
            log(`N=${n} rep ${rep + 1} ${who} failed${attempt === 0 ? ', running it again' : ''}: ${String(e.message).split('\n').slice(-4).join(' | ')}`);
            if (attempt >= 1) throw e;
          }
        }
        results[n][who].push(r);
        mkdirSync(work, { recursive: true });
        writeFileSync(join(work, `partial-${tag}.json`), `${JSON.stringify(results)}\n`);
        load.push(loadavg()[0]);
        log(`N=${n} rep ${rep + 1}/${reps} ${who.padEnd(7)} ${PHASES.map((p) => `${p} ${sec(r[p])}`).join('  ')}  (load ${loadavg()[0].toFixed(1)})`);
      }
    }
  }
  const cpu = cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown cpu';
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    machine: `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
    // Another engine than the local default (DOCKER_HOST) is said in the text.
    engine: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
    versions: {
      node: process.version,
      docker: run('docker', ['version', '--format', '{{.Server.Version}}']).out.trim(),
      compose: run('docker-compose', ['version', '--short']).out.trim(),
      berth: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
    },
    load: { min: Math.min(...load), max: Math.max(...load), median: median(load) },
    sizes,
    reps,
    results,
  };
}

const data = args.from ? JSON.parse(readFileSync(String(args.from), 'utf8')) : measure();
if (!args.from) {
  mkdirSync(work, { recursive: true });
  const out = join(work, `results-${tag}.json`);
  writeFileSync(out, `${JSON.stringify(data, null, 1)}\n`);
  log(`raw results: ${out}`);
}
const { date, machine, versions, results } = data;

const range = (xs) => `${(Math.min(...xs) / 1000).toFixed(1)}–${(Math.max(...xs) / 1000).toFixed(1)}`;
const rows = [];
for (const n of data.sizes) {
  for (const p of PHASES) {
    const b = results[n].berth.map((r) => r[p]);
    const c = results[n].compose.map((r) => r[p]);
    if (b.length === 0 || c.length === 0) continue;
    const mb = median(b);
    const mc = median(c);
    rows.push(`| ${n} | ${p} | ${sec(mb)} (${range(b)}) | ${sec(mc)} (${range(c)}) | ${(mc / mb).toFixed(2)}× |`);
  }
}
for (const n of data.sizes) {
  // CPU time of the no-op (runs recorded before it was measured have none).
  const b = results[n].berth.map((r) => r.noopCpu).filter((x) => x !== undefined);
  const c = results[n].compose.map((r) => r.noopCpu).filter((x) => x !== undefined);
  if (b.length === 0 || c.length === 0) continue;
  rows.push(`| ${n} | noop CPU | ${sec(median(b))} (${range(b)}) | ${sec(median(c))} (${range(c)}) | ${(median(c) / median(b)).toFixed(2)}× |`);
}
const table = ['| N | phase | berth median (min–max s) | compose median (min–max s) | compose ÷ berth |', '| ---: | --- | ---: | ---: | ---: |', ...rows].join('\n');
console.log(table);

if (!args['no-write'] && !only) {
  const section = `## deploy

Run: \`node bench/deploy/run.mjs\` (\`--sizes=5,20,50 --reps=3\`; \`--no-write\` to leave this file alone;
\`--from=bench/deploy/work/results-….json\` re-renders a run). The app: N Deployments (compose: services)
of one replica of \`${IMAGE}\` (busybox httpd on :8080), each with the same health check — \`wget\` of
\`/\` every 1 s, timeout 5 s (1 s timed out on this busy machine), 3 retries — and \`init: true\`;
no Services/ports. Same wall clock for both tools, berth and compose interleaved in one run
(alternating who goes first), ${data.reps} repetitions, medians with min–max.
- **cold**: from nothing until all N are healthy. \`berth deploy --yes\` returns then; compose is
  \`docker-compose up -d\` plus polling \`docker ps --filter health=healthy\` every 100 ms.
- **noop**: the same deploy again (\`berth deploy --yes\` / \`docker-compose up -d\`), nothing changed.
- **change**: one service's environment changes, until its new container is healthy (berth rolls it
  with surge; compose stops the old container and starts the new one).
- **destroy**: \`berth destroy --yes --delete-volumes\` / \`docker-compose down -v\`.
- **noop CPU**: the CPU time (user + sys, with child processes, from GNU time) of the no-op: what
  each tool computes, apart from waiting for a busy machine.

Measured ${date} UTC on ${machine}; Node ${versions.node}, Docker Engine ${versions.docker}${data.engine && data.engine !== 'unix:///var/run/docker.sock' ? ` (at ${data.engine})` : ''},
docker-compose ${versions.compose}, berth ${versions.berth}. 1-minute load average during the run:
${data.load ? `${data.load.min.toFixed(0)}–${data.load.max.toFixed(0)}, median ${data.load.median.toFixed(0)}` : 'not recorded'} on 2 cores. Most of it is the benchmark's own containers: at N = 50 their
health checks (50 execs through runc a second) keep both cores busy, so every command there waits
for CPU, and a no-op's wall time grows with N even where its CPU time does not. The interleaving
keeps the two tools comparable.

${table}
`;
  const file = join(root, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const re = /## deploy\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(text) ? text.replace(re, section.trimEnd() + '\n') : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  log('BENCHMARKS.md: ## deploy updated');
}
