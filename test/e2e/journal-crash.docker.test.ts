/**
 * kill -9 at every journal point of a deploy of examples/shop, on the built CLI and a real
 * Docker engine. A full deploy first runs with BERTH_TEST_JOURNAL_TRACE and counts its
 * journal entries (E, not hand-picked); then for each N in 1..E a fresh copy of the example is
 * deployed with BERTH_TEST_CRASH_AFTER_JOURNAL_ENTRY=N, which makes berth SIGKILL itself right
 * after the state write holding its Nth journal entry is durable (execute/crash-point.ts), and
 * `berth deploy --yes` runs again. After each rerun: exit 0; state parses and has no open
 * journal step; every container labelled for the cluster belongs to a resource in state,
 * each Deployment has exactly one running container per ordinal on the recorded replica hash,
 * one proxy per Service, one migration container that exited 0 (the same one when the killed
 * run's had already exited 0: not run twice); and `berth diff` exits 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, containers, copyExample, deploy, engineAvailable, forceRemove, readState, removeImagesAndDir, shown, skipNote, type App } from './harness.ts';

const ENV = { SHOP_API_KEY: 's3cret-crash' };
/** Points run at once: each is mostly waiting on health checks (1 s intervals). */
const AT_ONCE = 3;

interface TraceLine {
  readonly entries: number;
  readonly steps: readonly string[];
}

interface StateFile {
  resources: Record<string, { kind: string; specHash: string; replicaHash?: string; props: { replicas?: number } }>;
  journal?: { entries: { id: string; status: string }[] };
}

function stateOf(app: App): StateFile {
  return readState(app) as unknown as StateFile;
}

/** A container's status (`created`, `running`, `exited`…) and exit code (0 also for one never started). */
function inspect(id: string): { status: string; exitCode: number } {
  const r = spawnSync('docker', ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id], { encoding: 'utf8' });
  const [status, code] = r.stdout.trim().split(' ');
  return { status: status ?? '', exitCode: Number(code) };
}

/** Everything that must hold after the rerun (returns the problems, for one message per point). */
function problems(app: App, resourceCount: number): string[] {
  const out: string[] = [];
  let state: StateFile;
  try {
    state = stateOf(app);
  } catch (e) {
    return [`state does not parse: ${String(e)}`];
  }
  if (Object.keys(state.resources).length !== resourceCount) out.push(`state has ${Object.keys(state.resources).length} resources, not ${resourceCount}`);
  const open = (state.journal?.entries ?? []).filter((e) => e.status === 'started');
  if (open.length > 0) out.push(`open journal steps: ${open.map((e) => e.id).join(', ')}`);
  const cs = containers(app.cluster);
  for (const c of cs) {
    const id = c.labels['berth.resource'] ?? '';
    // The holder of the cluster's Secret/Config tmpfs belongs to the cluster, not to a resource.
    if (c.labels['berth.component'] === 'files') continue;
    if (!state.resources[id]) out.push(`orphan container ${c.name} (resource "${id}" not in state)`);
  }
  for (const [id, r] of Object.entries(state.resources)) {
    const mine = cs.filter((c) => c.labels['berth.resource'] === id);
    if (r.kind === 'Deployment') {
      const want = r.replicaHash ?? r.specHash;
      const ordinals = mine.map((c) => c.labels['berth.ordinal']).sort();
      const expected = [...Array(r.props.replicas ?? 1).keys()].map(String).sort();
      if (JSON.stringify(ordinals) !== JSON.stringify(expected)) out.push(`${id}: ordinals ${ordinals.join(',')} (want ${expected.join(',')}): ${mine.map((c) => c.name).join(' ')}`);
      for (const c of mine) {
        if (c.state !== 'running') out.push(`${id}: ${c.name} is ${c.state}`);
        if (c.labels['berth.spec'] !== want) out.push(`${id}: ${c.name} runs spec ${c.labels['berth.spec']}, state records ${want}`);
      }
    } else if (r.kind === 'Service') {
      if (mine.length !== 1 || mine[0]?.state !== 'running') out.push(`${id}: proxies ${mine.map((c) => `${c.name} ${c.state}`).join(', ') || 'none'}`);
    } else if (r.kind === 'Job') {
      if (mine.length !== 1) out.push(`${id}: ${mine.length} job containers`);
      else if (JSON.stringify(inspect(mine[0]?.id ?? '')) !== JSON.stringify({ status: 'exited', exitCode: 0 })) out.push(`${id}: the job's container did not exit 0`);
    }
  }
  return out;
}

describe.skipIf(!engineAvailable)(`examples/shop killed at every journal point, then deployed again${skipNote}`, () => {
  it('every rerun converges: no orphan, no duplicate, state parses, the next diff is clean', { timeout: 900_000 }, async () => {
    const t0 = Date.now();
    // 1. Count the journal points of a full first deploy.
    const traceDir = mkdtempSync(join(tmpdir(), 'berth-trace-'));
    const trace = join(traceDir, 'journal.jsonl');
    const counting = await copyExample('shop', 'jcount');
    let points: TraceLine[];
    let resourceCount: number;
    try {
      const r = await deploy(counting, [], { ...ENV, BERTH_TEST_JOURNAL_TRACE: trace });
      expect(r.code, shown(r)).toBe(0);
      points = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceLine);
      resourceCount = Object.keys(stateOf(counting).resources).length;
    } finally {
      forceRemove(counting.cluster);
      removeImagesAndDir(counting);
      rmSync(traceDir, { recursive: true, force: true });
    }
    const total = points.at(-1)?.entries ?? 0;
    // Every effectful step (9 in shop) is journalled: its started entry, then the write that closes it.
    expect(total).toBeGreaterThanOrEqual(18);

    // 2. Kill at each point, rerun, check.
    const results: { n: number; ms: number; problems: string[]; killedAt: string }[] = [];
    // Points where the killed run's migration had already exited 0 (the rerun must not run it again).
    let adopted = 0;
    // JOURNAL_CRASH_ONLY=7,7,7 reruns chosen points (to chase a failure); default: every point once.
    const only = process.env['JOURNAL_CRASH_ONLY']?.split(',').map(Number);
    const queue = only ? [...only] : [...Array(total).keys()].map((i) => i + 1);
    const worker = async (): Promise<void> => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const t = Date.now();
        const app = await copyExample('shop', `jc${n}`);
        try {
          const killed = await deploy(app, [], { ...ENV, BERTH_TEST_CRASH_AFTER_JOURNAL_ENTRY: String(n) });
          const found: string[] = [];
          if (killed.signal !== 'SIGKILL') found.push(`not killed at entry ${n}: ${shown(killed)}`);
          let killedAt = '';
          try {
            killedAt = (stateOf(app).journal?.entries ?? []).map((e) => `${e.id}:${e.status}`).join(' ');
          } catch (e) {
            found.push(`state after the kill does not parse: ${String(e)}`);
          }
          // A migration that had already exited 0 must be adopted, not run again.
          const job = containers(app.cluster, { 'berth.resource': 'migrate' })[0];
          const jobState = job ? inspect(job.id) : undefined;
          const jobDone = job && jobState?.status === 'exited' && jobState.exitCode === 0 ? job.id : undefined;
          if (jobDone) adopted++;
          const again = await deploy(app, [], ENV);
          if (again.code !== 0) found.push(`rerun: ${shown(again)}`);
          found.push(...problems(app, resourceCount));
          if (jobDone && containers(app.cluster, { 'berth.resource': 'migrate' })[0]?.id !== jobDone) found.push('the migration, finished before the kill, ran again');
          const diff = await berth(['diff', '--app', app.file], { cwd: app.dir, env: ENV });
          if (diff.code !== 0) found.push(`diff after the rerun: ${shown(diff)}`);
          results.push({ n, ms: Date.now() - t, problems: found, killedAt });
        } finally {
          forceRemove(app.cluster);
          removeImagesAndDir(app);
        }
      }
    };
    await Promise.all([...Array(AT_ONCE)].map(() => worker()));
    results.sort((a, b) => a.n - b.n);
    const seconds = Math.round((Date.now() - t0) / 1000);
    // The figure the issue asks for, in the test output.
    console.log(`journal crash test: ${total} journal points of examples/shop, ${results.length} kills + reruns (${adopted} with the migration already finished at the kill), ${seconds}s`);
    const bad = results.filter((r) => r.problems.length > 0).map((r) => `entry ${r.n} (journal at the kill: ${r.killedAt}):\n  ${r.problems.join('\n  ')}`);
    expect(bad, bad.join('\n')).toEqual([]);
    expect(results).toHaveLength(only?.length ?? total);
  });
});
