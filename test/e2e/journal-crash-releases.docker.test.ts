/**
 * kill -9 in a rollback and in a canary deploy (fixture "web", the built CLI, a real engine),
 * then the same command again: it converges. The rollback is killed at every one of its
 * journal points (counted from a traced run, as journal-crash.docker.test.ts does for a
 * deploy, including the writes that open and close its release record); the canary deploy at
 * every journal point and, from outside, while its canary is being watched. After each rerun:
 * exit 0, no open journal step, every site replica running the recorded spec (3, one per
 * ordinal), the release record ended, and nothing left to do.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, deploy, engineAvailable, forceRemove, makeApp, readState, removeImagesAndDir, replicas, shown, skipNote, start, type App } from './harness.ts';

const AT_ONCE = 2;

interface StateFile {
  resources: Record<string, { kind: string; specHash: string; replicaHash?: string; outputs: Record<string, unknown>; canary?: unknown }>;
  journal?: { entries: { id: string; status: string }[] };
  releases?: { number: number; kind: string; result: string; rollbackOf?: number }[];
}
const stateOf = (app: App): StateFile => readState(app) as unknown as StateFile;

/** What must hold once the rerun finished. */
function problems(app: App): string[] {
  const out: string[] = [];
  let s: StateFile;
  try {
    s = stateOf(app);
  } catch (e) {
    return [`state does not parse: ${String(e)}`];
  }
  const open = (s.journal?.entries ?? []).filter((e) => e.status === 'started');
  if (open.length > 0) out.push(`open journal steps: ${open.map((e) => e.id).join(', ')}`);
  const site = s.resources['site'];
  const want = site?.replicaHash ?? site?.specHash;
  const reps = replicas(app.cluster, 'site');
  const ordinals = reps.map((c) => c.labels['berth.ordinal']).sort();
  if (JSON.stringify(ordinals) !== JSON.stringify(['0', '1', '2'])) out.push(`site ordinals ${ordinals.join(',')}: ${reps.map((c) => `${c.name} ${c.state}`).join(' ')}`);
  for (const c of reps) {
    if (c.state !== 'running') out.push(`${c.name} is ${c.state}`);
    if (c.labels['berth.spec'] !== want) out.push(`${c.name} runs spec ${c.labels['berth.spec']}, state records ${want}`);
  }
  if (site?.canary !== undefined) out.push('site still has a canary mark');
  const newest = s.releases?.[0];
  if (newest?.result !== 'ok') out.push(`newest release r${newest?.number}: ${newest?.result}`);
  if ((s.releases ?? []).some((r) => r.result === 'running')) out.push('a release record is still running');
  return out;
}

/** A web app deployed twice (site v1, then v2), the second time with a canary on site. */
async function twoReleases(what: string, canary: boolean): Promise<App> {
  const app = await makeApp('web', what);
  if (canary) app.edit('cluster.ts', (t) => t.replace("progressDeadline: '90s' }", "progressDeadline: '90s', canary: { replicas: 1, pause: '4s' } }"));
  for (const v of [1, 2]) {
    app.edit('site/index.html', () => `site v${v}\n`);
    const r = await deploy(app);
    if (r.code !== 0) throw new Error(shown(r));
  }
  return app;
}

/** Runs `visit` for points 1..total, AT_ONCE at a time; returns the problems per point. */
async function everyPoint(total: number, visit: (n: number) => Promise<string[]>): Promise<string[]> {
  const queue = [...Array(total).keys()].map((i) => i + 1);
  const bad: string[] = [];
  const worker = async (): Promise<void> => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const found = await visit(n);
      if (found.length > 0) bad.push(`point ${n}:\n  ${found.join('\n  ')}`);
    }
  };
  await Promise.all([...Array(AT_ONCE)].map(() => worker()));
  return bad.sort();
}

/** Journal points of one command, counted from a traced run of it. */
async function countPoints(app: App, run: (env: Record<string, string>) => Promise<{ code: number | null }>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-trace-'));
  const trace = join(dir, 'journal.jsonl');
  try {
    const r = await run({ BERTH_TEST_JOURNAL_TRACE: trace });
    expect(r.code).toBe(0);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    return (JSON.parse(lines.at(-1) ?? '{}') as { entries?: number }).entries ?? 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!engineAvailable)(`rollback and canary killed at every journal point, then run again${skipNote}`, () => {
  it('a rollback killed at any journal point is finished by running it again', { timeout: 900_000 }, async () => {
    const rollback = (app: App, env: Record<string, string> = {}) => berth(['rollback', 'r1', '--app', app.file, '--yes'], { cwd: app.dir, env });
    const counting = await twoReleases('jrc', false);
    let total: number;
    try {
      total = await countPoints(counting, (env) => rollback(counting, env));
    } finally {
      forceRemove(counting.cluster);
      removeImagesAndDir(counting);
    }
    // Two steps (site-image, site), each opened and closed, and the release record's two writes.
    expect(total).toBeGreaterThanOrEqual(6);
    const bad = await everyPoint(total, async (n) => {
      const app = await twoReleases(`jr${n}`, false);
      try {
        const image1 = stateOf(app).releases?.find((r) => r.number === 1) as unknown as { images: Record<string, string> } | undefined;
        const killed = await rollback(app, { BERTH_TEST_CRASH_AFTER_JOURNAL_ENTRY: String(n) });
        const found: string[] = [];
        if (killed.signal !== 'SIGKILL') found.push(`not killed at point ${n}: ${shown(killed)}`);
        const again = await rollback(app);
        if (again.code !== 0) found.push(`rerun: ${shown(again)}`);
        found.push(...problems(app));
        const s = stateOf(app);
        if (s.resources['site-image']?.outputs['image'] !== image1?.images['site-image']) found.push('site-image does not record r1 image');
        if (s.releases?.[0]?.kind !== 'rollback') found.push(`newest release is a ${s.releases?.[0]?.kind}`);
        const once = await rollback(app);
        if (once.code !== 0 || !once.stdout.includes('no changes')) found.push(`a third rollback is not a no-op: ${shown(once)}`);
        return found;
      } finally {
        forceRemove(app.cluster);
        removeImagesAndDir(app);
      }
    });
    console.log(`journal crash (rollback): ${total} points`);
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('a canary deploy killed at any journal point, or while its canary is watched, is finished by deploying again', { timeout: 900_000 }, async () => {
    const v3 = (app: App): void => app.edit('site/index.html', () => 'site v3\n');
    const counting = await twoReleases('jcc', true);
    let total: number;
    try {
      v3(counting);
      total = await countPoints(counting, (env) => deploy(counting, [], env));
    } finally {
      forceRemove(counting.cluster);
      removeImagesAndDir(counting);
    }
    expect(total).toBeGreaterThanOrEqual(6);
    // Point total + 1: killed from outside during the canary's pause (no journal point there).
    const bad = await everyPoint(total + 1, async (n) => {
      const app = await twoReleases(`jk${n}`, true);
      try {
        v3(app);
        const found: string[] = [];
        if (n <= total) {
          const killed = await deploy(app, [], { BERTH_TEST_CRASH_AFTER_JOURNAL_ENTRY: String(n) });
          if (killed.signal !== 'SIGKILL') found.push(`not killed at point ${n}: ${shown(killed)}`);
        } else {
          const run = start(['deploy', '--app', app.file, '--yes'], { cwd: app.dir });
          await run.waitFor(/canary: 1 replica serving beside 3; watching/);
          run.child.kill('SIGKILL');
          await run.done;
        }
        const again = await deploy(app);
        if (again.code !== 0) found.push(`rerun: ${shown(again)}`);
        found.push(...problems(app));
        const diff = await berth(['diff', '--app', app.file], { cwd: app.dir });
        if (diff.code !== 0) found.push(`diff after the rerun: ${shown(diff)}`);
        return found;
      } finally {
        forceRemove(app.cluster);
        removeImagesAndDir(app);
      }
    });
    console.log(`journal crash (canary): ${total} points + 1 kill during the pause`);
    expect(bad, bad.join('\n')).toEqual([]);
  });
});
