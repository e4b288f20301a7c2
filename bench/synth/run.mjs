#!/usr/bin/env node
// bench/synth: `berth synth` against cdk8s + cdk8s-plus-33 on the same app, whole processes.
//
//   node bench/synth/run.mjs [--n 100,1000,5000] [--runs 5] [--no-write]
//
// For each N it writes the app twice under bench/synth/work/ (gen.mjs), builds the berth CLI
// from the current sources, compiles the cdk8s app to main.js (not timed: users compile once),
// then times with hyperfine (median of --runs after one warm-up):
//   berth        node packages/cli/bin/berth.mjs synth --app work/berth-N/cluster.ts
//   cdk8s node   node main.js                                (in work/cdk8s-N)
//   cdk8s CLI    cdk8s synth --no-check-upgrade             (in work/cdk8s-N; runs `node main.js`)
// and measures peak RSS with GNU time (`/usr/bin/time -f %M`: the largest process of the tree,
// median of 3). The peers live in bench/synth/peers with their own package.json and are
// installed there on first use, never into the workspace. Results replace the `## synth`
// section of BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeApps } from './gen.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const peers = join(here, 'peers');
const work = join(here, 'work');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const SIZES = opt('n', '100,1000,5000').split(',').map(Number);
const RUNS = Number(opt('runs', '5'));
const WRITE = !args.includes('--no-write');
const MEM_RUNS = 3;
const BERTH_BIG_RUNS = 3 * RUNS;

const log = (s) => process.stderr.write(`${s}\n`);

function sh(cmd, argv, cwd, extra = {}) {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, ...extra });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${argv.join(' ')} (in ${cwd}) exited ${r.status}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  }
  return r;
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
}

// --- prerequisites --------------------------------------------------------------------------
if (!which('hyperfine')) throw new Error('hyperfine is required (apt-get install hyperfine)');
if (!existsSync('/usr/bin/time')) throw new Error("GNU time is required for peak memory (apt-get install time)");
if (!existsSync(join(peers, 'node_modules', 'cdk8s-plus-33'))) {
  log('installing peers into bench/synth/peers (cdk8s, cdk8s-plus-33, cdk8s-cli, constructs, esbuild)…');
  sh('npm', ['install', '--prefix', peers, '--no-audit', '--no-fund'], root, { stdio: 'inherit' });
}
log('building the berth CLI (npm run build)…');
sh('node', ['scripts/build.mjs'], root);

mkdirSync(work, { recursive: true });
// The generated cdk8s apps resolve cdk8s and cdk8s-plus-33 through work/node_modules.
const link = join(work, 'node_modules');
rmSync(link, { force: true });
symlinkSync(join('..', 'peers', 'node_modules'), link);

const berthBin = join(root, 'packages', 'cli', 'bin', 'berth.mjs');
const cdk8sBin = join(peers, 'node_modules', '.bin', 'cdk8s');
const esbuildBin = join(peers, 'node_modules', '.bin', 'esbuild');

/** Median wall time (s) of `cmd` run in `cwd`, by hyperfine, without an intermediate shell. */
function time(cmd, cwd, runs, env = {}) {
  const out = join(work, 'hyperfine.json');
  sh('hyperfine', ['-N', '--style', 'none', '--warmup', '1', '--runs', String(runs), '--export-json', out, cmd], cwd, { env: { ...process.env, ...env } });
  const r = JSON.parse(readFileSync(out, 'utf8')).results[0];
  rmSync(out, { force: true });
  // user + system: CPU time of the process tree, which a busy machine inflates less than wall time.
  return { median: r.median, min: r.min, max: r.max, cpu: r.user + r.system };
}

/** Median peak RSS (MB) of the largest process of `cmd`'s tree, by GNU time. */
function peakMb(argv, cwd) {
  const kb = [];
  for (let i = 0; i < MEM_RUNS; i++) {
    const r = sh('/usr/bin/time', ['-f', '%M', ...argv], cwd);
    const lines = r.stderr.trim().split('\n');
    kb.push(Number(lines[lines.length - 1]));
  }
  kb.sort((a, b) => a - b);
  return kb[Math.floor(kb.length / 2)] / 1024;
}

const rows = [];
const load0 = os.loadavg();
for (const n of SIZES) {
  const { berthDir, cdk8sDir } = writeApps(work, n);
  sh(esbuildBin, ['main.ts', '--format=cjs', '--platform=node', '--target=node20', '--outfile=main.js', '--log-level=warning'], cdk8sDir);

  // Sanity: both produce the same number of objects.
  const berthOut = sh('node', [berthBin, 'synth', '--app', join(berthDir, 'cluster.ts')], root).stdout;
  if (!berthOut.includes(`${2 * n} resources`)) throw new Error(`berth made the wrong graph for N=${n}: ${berthOut}`);
  rmSync(join(cdk8sDir, 'dist'), { recursive: true, force: true });
  sh('node', ['main.js'], cdk8sDir);
  const yaml = readFileSync(join(cdk8sDir, 'dist', 'bench.k8s.yaml'), 'utf8');
  const docs = yaml.split('\n---\n').length;
  if (docs !== 2 * n) throw new Error(`cdk8s made ${docs} objects for N=${n}, expected ${2 * n}`);

  const runs = n >= 5000 ? Math.max(3, RUNS) : RUNS * 2;
  // berth's runs are short: more of them steady its median, which one slow run moved a lot.
  const berthRuns = n >= 5000 ? BERTH_BIG_RUNS : runs;
  log(`N=${n}: berth…`);
  // berth's own compile cache (bin/berth.mjs), in a folder of this run: hyperfine's warm-up
  // run writes it, as a user's first run does. The no-cache figure is that first run.
  const cacheEnv = { BERTH_CACHE_DIR: join(work, 'compile-cache') };
  rmSync(cacheEnv.BERTH_CACHE_DIR, { recursive: true, force: true });
  const berth = time(`node ${berthBin} synth --app ${join(berthDir, 'cluster.ts')}`, root, berthRuns, cacheEnv);
  const berthCold = time(`node ${berthBin} synth --app ${join(berthDir, 'cluster.ts')}`, root, berthRuns, { BERTH_NO_COMPILE_CACHE: '1' });
  const berthMem = peakMb(['env', `BERTH_CACHE_DIR=${cacheEnv.BERTH_CACHE_DIR}`, 'node', berthBin, 'synth', '--app', join(berthDir, 'cluster.ts')], root);
  log(`N=${n}: cdk8s-plus under node…`);
  const node = time('node main.js', cdk8sDir, runs);
  const nodeMem = peakMb(['node', 'main.js'], cdk8sDir);
  log(`N=${n}: cdk8s-plus through the cdk8s CLI…`);
  const cli = time(`${cdk8sBin} synth --no-check-upgrade`, cdk8sDir, runs);
  const cliMem = peakMb([cdk8sBin, 'synth', '--no-check-upgrade'], cdk8sDir);
  const row = { n, berth, berthCold, berthMem, node, nodeMem, cli, cliMem };
  rows.push(row);
  log(`N=${n}: berth ${berth.median.toFixed(3)} s ${berthMem.toFixed(0)} MB | cdk8s-plus node ${node.median.toFixed(3)} s ${nodeMem.toFixed(0)} MB | cdk8s CLI ${cli.median.toFixed(3)} s ${cliMem.toFixed(0)} MB`);
}
const load1 = os.loadavg();

// --- report ---------------------------------------------------------------------------------
const f3 = (x) => x.toFixed(3);
const f0 = (x) => x.toFixed(0);
const cpu = os.cpus();
const hyperfineVersion = execFileSync('hyperfine', ['--version'], { encoding: 'utf8' }).trim();
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const big = rows.find((r) => r.n === 5000);
const verdict = big
  ? `N=5000: berth ${f3(big.berth.median)} s (${big.berth.median < 0.5 ? 'under' : 'NOT under'} 0.5 s), ` +
    `${(big.node.median / big.berth.median).toFixed(1)}× faster than cdk8s-plus under node ` +
    `(${big.berth.median <= big.node.median / 6 ? 'meets' : 'does NOT meet'} the 1/6 target), ` +
    `${(big.cli.median / big.berth.median).toFixed(1)}× faster than the cdk8s CLI; peak memory ` +
    `${f0(big.berthMem)} MB vs ${f0(big.nodeMem)} MB (${big.berthMem < big.nodeMem ? 'lower' : 'NOT lower'}).`
  : '';
const section = `## synth

\`node bench/synth/run.mjs\` (${date}). N Deployments, each exposed by a Service (2 replicas,
3 env vars, cpu/memory requests and limits, an HTTP probe): \`bench/synth/gen.mjs\` writes the
berth \`cluster.ts\` and the same app for cdk8s-plus-33 (\`kplus.Deployment\` +
\`exposeViaService\`). Whole processes as a user runs them, timed by hyperfine (median of
${RUNS * 2} runs for N < 5000; for N = 5000, ${BERTH_BIG_RUNS} of berth and ${Math.max(3, RUNS)} of each peer; one warm-up):
\`berth synth --app …\` (built CLI, esbuild bundling cluster.ts included, with the compile
cache its first run writes — the warm-up run here; the last table has runs without it);
cdk8s-plus's compiled \`main.js\` under plain node; and \`cdk8s synth --no-check-upgrade\`
(which runs the same \`node main.js\`). Peak memory is GNU time's max RSS (the largest process
of the tree), median of ${MEM_RUNS}. Ratio = cdk8s-plus under node ÷ berth.

| N | berth s | berth peak MB | cdk8s-plus node s | peak MB | cdk8s CLI s | peak MB | ratio (node) | ratio (CLI) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows
  .map((r) => `| ${r.n} | ${f3(r.berth.median)} | ${f0(r.berthMem)} | ${f3(r.node.median)} | ${f0(r.nodeMem)} | ${f3(r.cli.median)} | ${f0(r.cliMem)} | ${(r.node.median / r.berth.median).toFixed(1)}× | ${(r.cli.median / r.berth.median).toFixed(1)}× |`)
  .join('\n')}

${verdict}

On a busy machine the fastest run and the CPU time (user + system of the process tree, mean
of the same runs) move less than the median wall time:

| N | berth min s | cdk8s-plus node min s | berth cpu s | cdk8s-plus node cpu s | cdk8s CLI cpu s | cpu ratio (node) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((r) => `| ${r.n} | ${f3(r.berth.min)} | ${f3(r.node.min)} | ${f3(r.berth.cpu)} | ${f3(r.node.cpu)} | ${f3(r.cli.cpu)} | ${(r.node.cpu / r.berth.cpu).toFixed(1)}× |`).join('\n')}

berth without its compile cache (\`BERTH_NO_COMPILE_CACHE=1\`: every run parses and compiles
the CLI, as the very first run does):

| N | berth, no cache: median s | min s | cpu s | ratio (node, median) |
| ---: | ---: | ---: | ---: | ---: |
${rows.map((r) => `| ${r.n} | ${f3(r.berthCold.median)} | ${f3(r.berthCold.min)} | ${f3(r.berthCold.cpu)} | ${(r.node.median / r.berthCold.median).toFixed(1)}× |`).join('\n')}

Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB,
${os.type()} ${os.release()}, node ${process.version}, ${hyperfineVersion}; peers: cdk8s
${peerVersion('cdk8s')}, cdk8s-plus-33 ${peerVersion('cdk8s-plus-33')}, cdk8s-cli ${peerVersion('cdk8s-cli')}.
Load average ${load0.map((x) => x.toFixed(1)).join(' ')} at the start and ${load1.map((x) => x.toFixed(1)).join(' ')} at the end: the
machine is shared, so figures move between runs; compare columns of the same run.
`;

function peerVersion(name) {
  return JSON.parse(readFileSync(join(peers, 'node_modules', name, 'package.json'), 'utf8')).version;
}

process.stdout.write(`${section}\n`);
if (WRITE) {
  const file = join(root, 'BENCHMARKS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nMeasured speed against peers. Each section is written by its bench script.\n\n';
  // Replace only our section: from "## synth" to the next "## " heading (or the end).
  const start = text.search(/^## synth\s*$/m);
  let next;
  if (start >= 0) {
    const rest = text.slice(start + 1);
    const m = /^## /m.exec(rest);
    next = m ? start + 1 + m.index : text.length;
  }
  const updated = start >= 0 ? `${text.slice(0, start)}${section}\n${text.slice(next)}` : `${text.replace(/\n*$/, '\n\n')}${section}`;
  writeFileSync(file, updated);
  log('wrote the synth section of BENCHMARKS.md');
}
