#!/usr/bin/env node
// bench/diff: a no-op `berth diff` on the N-Deployment + N-Service app, as a whole process.
//
//   node bench/diff/run.mjs [--n 1000] [--runs 15] [--no-build] [--no-write]
//
// Writes the synth benchmark's app (bench/synth/gen.mjs) under bench/diff/work/, records
// state for it as if deployed (record-state.ts: synthesized in memory like deploy, written
// through the real LocalStateStore), checks that `berth diff` then reports no changes (exit 0), and times
//   node packages/cli/bin/berth.mjs diff --app work/berth-N/cluster.ts --no-observe
// with hyperfine (median and min of --runs after 2 warm-ups), plus CPU time (user + sys) and
// peak RSS from GNU time. `--no-observe`: observing asks a Docker engine, which this
// benchmark is not about. Results replace the `## diff` section of BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { berthApp } from '../synth/gen.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const work = join(here, 'work');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const N = Number(opt('n', '1000'));
const RUNS = Number(opt('runs', '15'));
const WRITE = !args.includes('--no-write');
const BUDGET_S = 0.5;
const log = (s) => process.stderr.write(`${s}\n`);

function sh(cmd, argv, cwd, extra = {}) {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, ...extra });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}${cmd === 'hyperfine' || cmd === '/usr/bin/time' ? ' (install it: apt-get install hyperfine time)' : ''}`);
  if (r.status !== 0 && !extra.allowExit?.includes(r.status)) {
    throw new Error(`${cmd} ${argv.join(' ')} (in ${cwd}) exited ${r.status}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  }
  return r;
}

if (!args.includes('--no-build')) {
  log('building the berth CLI (scripts/build.mjs)…');
  sh('node', ['scripts/build.mjs'], root);
}
const berth = join(root, 'packages/cli/bin/berth.mjs');

// --- the app and its recorded state ---------------------------------------------------------
const appDir = join(work, `berth-${N}`);
rmSync(appDir, { recursive: true, force: true });
mkdirSync(appDir, { recursive: true });
const appFile = join(appDir, 'cluster.ts');
writeFileSync(appFile, berthApp(N));

const { build } = await import('esbuild');
const recorder = join(work, 'record-state.mjs');
const phaser = join(work, 'phases.mjs');
await build({
  absWorkingDir: root,
  entryPoints: { 'record-state': join(here, 'record-state.ts'), phases: join(here, 'phases.ts') },
  outdir: work,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['esbuild', 'dockerode', 'tar-fs', '@balena/dockerignore'],
  alias: {
    '@berth/core/testing': './packages/core/src/testing.ts',
    '@berth/core': './packages/core/src/index.ts',
    '@berth/engine': './packages/engine/src/index.ts',
  },
  banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  logLevel: 'warning',
});
log(sh('node', [recorder, appDir, join(appDir, '.berth')], root).stdout.trim());
const stateBytes = readFileSync(join(appDir, '.berth', 'bench.state.json')).length;

const diffArgs = [berth, 'diff', '--app', appFile, '--no-observe'];
const check = sh('node', diffArgs, root, { allowExit: [0] });
if (!/No changes\. \d+ unchanged\./.test(check.stdout)) throw new Error(`expected a no-op diff, got:\n${check.stdout}`);
log(check.stdout.trim());

// --- timing -----------------------------------------------------------------------------------
// berth's compile cache (bin/berth.mjs) in a folder of this run, written by the warm-ups as a
// user's first run writes it.
process.env.BERTH_CACHE_DIR = join(work, 'compile-cache');
rmSync(process.env.BERTH_CACHE_DIR, { recursive: true, force: true });
const cmd = diffArgs.map((a) => JSON.stringify(a)).join(' ');
const hfOut = join(work, 'hyperfine.json');
// `berth synth` of the same app: the part of diff that is loading and synthesizing the program.
const synthCmd = [berth, 'synth', '--app', appFile, '--out', join(work, 'synth-out')].map((a) => JSON.stringify(a)).join(' ');
sh('hyperfine', ['--runs', String(RUNS), '--warmup', '2', '--export-json', hfOut, '--style', 'none', `node ${cmd}`, 'node -e 0', `node ${synthCmd}`], root);
const hf = JSON.parse(readFileSync(hfOut, 'utf8')).results;
const [diffRes, nodeRes, synthRes] = hf;
const median = diffRes.median;
const min = diffRes.min;

const cpu = [];
const rss = [];
for (let i = 0; i < 5; i++) {
  const r = sh('/usr/bin/time', ['-f', '%U %S %M', 'node', ...diffArgs], root);
  const [u, s, m] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  cpu.push(u + s);
  rss.push(m);
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Where the time goes: the same steps in one process, CPU per phase, median of 5.
const phaseRuns = [];
for (let i = 0; i < 5; i++) phaseRuns.push(JSON.parse(sh('node', [phaser, appDir], root).stdout));
const phaseNames = phaseRuns[0].map(([name]) => name);
const phaseMs = phaseNames.map((_, j) => med(phaseRuns.map((r) => r[j][1])));
const load = os.loadavg()[0];

const fmt = (s) => `${s.toFixed(3)} s`;
const verdict = median <= BUDGET_S ? 'within' : min <= BUDGET_S ? 'median over, best run within' : 'over';
const section = `## diff

Run: \`node bench/diff/run.mjs\` (\`--n 1000\`, \`--runs 10\`, \`--no-write\` to leave this file alone).
The synth benchmark's app (N Deployments + N Services, bench/synth/gen.mjs) with state recorded
for it as if deployed (bench/diff/record-state.ts, through the real LocalStateStore: ${(stateBytes / 1024 / 1024).toFixed(1)} MiB),
so \`berth diff\` loads cluster.ts with esbuild, synthesizes, reads and validates the state,
plans ${2 * N} no-ops and prints the summary. Whole process, built CLI (with the compile cache
its warm-up runs wrote), \`--no-observe\` (observing asks a Docker engine). hyperfine, ${RUNS} runs after 2 warm-ups; CPU (user + sys)
and peak RSS from GNU time, median of 5. Node ${process.version}, ${os.cpus().length} cores,
load average ${load.toFixed(1)} while measuring, ${new Date().toISOString().slice(0, 10)}.

| app | wall median | wall min | CPU (user + sys) | peak RSS | \`berth synth\` of the same app, wall median / min | \`node -e 0\`, wall median | budget |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
| ${N} Deployments + ${N} Services | ${fmt(median)} | ${fmt(min)} | ${fmt(med(cpu))} | ${Math.round(med(rss) / 1024)} MiB | ${fmt(synthRes.median)} / ${fmt(synthRes.min)} | ${fmt(nodeRes.median)} | ${BUDGET_S} s: ${verdict} |

Wall times on a shared machine follow its load (${load.toFixed(1)} on ${os.cpus().length} cores here; \`node -e 0\` took
${fmt(nodeRes.median)}); CPU time is the steadier figure. The part that is diff's own —
reading state, planning, rendering — is the last three rows below; the rest is node's
start-up, module loading, loading cluster.ts with esbuild and synthesizing it (what
\`berth synth\` does too).

Where the CPU goes (bench/diff/phases.ts: the same steps in one process, median of 5; the
whole-process CPU above also counts node's start-up and esbuild's service process):

| phase | CPU |
| --- | ---: |
${phaseNames.map((n, j) => `| ${n} | ${Math.round(phaseMs[j])} ms |`).join('\n')}
`;
log(section);

if (WRITE) {
  const file = join(root, 'BENCHMARKS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /## diff\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  log('updated the ## diff section of BENCHMARKS.md');
}
