/**
 * The executor on the in-memory driver and a real state folder: DAG order, bounded
 * parallelism, skipping dependents of a failure, the journal it writes, and the cost of it.
 */
import { progressPrinter } from '../../../packages/cli/src/render/progress.ts';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Deployment, Volume, type Cluster } from '@berth/core';
import type { State } from '../../../packages/engine/src/state/index.ts';
import type { DeployEvent } from '../../../packages/engine/src/execute/events.ts';
import { expectConverged, graphOf, Rig, shop } from './rig.ts';

const rigs: Rig[] = [];
function rig(cluster = 'shop', opts: ConstructorParameters<typeof Rig>[1] = {}): Rig {
  const r = new Rig(cluster, opts);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.dispose();
});

/** When each step started and ended, in event order. */
function timeline(events: readonly DeployEvent[]): { starts: Map<string, number>; ends: Map<string, number>; maxConcurrent: number } {
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  let running = 0;
  let maxConcurrent = 0;
  events.forEach((e, i) => {
    if (e.type === 'step-start') {
      starts.set(e.id, i);
      maxConcurrent = Math.max(maxConcurrent, ++running);
    }
    if (e.type === 'step-done' || e.type === 'step-failed') {
      ends.set(e.id, i);
      running--;
    }
  });
  return { starts, ends, maxConcurrent };
}

describe('execute: the DAG', () => {
  it('starts a step only after every step it depends on is done, and converges', async () => {
    const r = rig();
    const g = graphOf('shop', shop());
    const run = await r.deploy(g);
    expect(run.result?.ok, JSON.stringify(run.result?.failures)).toBe(true);
    const { starts, ends } = timeline(run.events);
    for (const res of g.resources) {
      for (const d of res.dependsOn) expect(ends.get(d) ?? Infinity, `${d} done before ${res.id} starts`).toBeLessThan(starts.get(res.id) ?? -1);
    }
    await expectConverged(r, g);
    // And a second deploy has nothing to do.
    const again = await r.deploy(g);
    expect(again.result).toBeUndefined();
    expect(again.writes).toBe(0);
  });

  it('runs at most `parallelism` steps at once, and reaches that many', async () => {
    const r = rig('wide', { readyAfterMs: 15 });
    const g = graphOf('wide', (c: Cluster) => {
      for (let i = 0; i < 7; i++) new Deployment(c, `d${i}`, { image: 'busybox:1', health: { tcp: { port: 80 } } });
    });
    const run = await r.deploy(g, { parallelism: 3 });
    expect(run.result?.ok).toBe(true);
    expect(timeline(run.events).maxConcurrent).toBe(3);
    const one = rig('narrow', { readyAfterMs: 5 });
    const g1 = graphOf('narrow', (c: Cluster) => {
      for (let i = 0; i < 4; i++) new Deployment(c, `d${i}`, { image: 'busybox:1' });
    });
    const run1 = await one.deploy(g1, { parallelism: 1 });
    expect(timeline(run1.events).maxConcurrent).toBe(1);
    expect(run1.events.filter((e) => e.type === 'step-done')).toHaveLength(4);
  });

  it('skips the dependents of a failed step (transitively), runs the rest, and records only what finished', async () => {
    const r = rig();
    r.driver.fail({ on: 'job', resourceId: 'migrate', reason: 'exit 3', exitCode: 3 });
    const g = graphOf('shop', shop());
    const run = await r.deploy(g);
    expect(run.result?.ok).toBe(false);
    expect(run.result?.failures.map((f) => f.id)).toEqual(['migrate']);
    // api waits for migrate; api-svc for api; worker reads api-svc's address.
    expect(new Set(run.result?.skipped)).toEqual(new Set(['api', 'api-svc', 'worker']));
    const skippedEvents = run.events.filter((e) => e.type === 'step-skipped');
    expect(skippedEvents.find((e) => e.id === 'api')).toMatchObject({ because: 'migrate failed' });
    expect(r.driver.of('api')).toEqual([]);
    const state = await r.state();
    expect(Object.keys(state?.resources ?? {}).sort()).toEqual(['api-image', 'api-key', 'busybox', 'orders', 'settings']);
    const migrate = state?.journal?.entries.find((e) => e.id === 'migrate');
    expect(migrate).toMatchObject({ status: 'failed', message: expect.stringMatching(/job shop\/migrate failed/) });
    // Fixed, the next deploy does the rest.
    r.driver.faults.length = 0;
    const fixed = await r.deploy(g);
    expect(fixed.result?.ok).toBe(true);
    await expectConverged(r, g);
  });
});

describe('execute: the journal', () => {
  it('journals each effectful step ahead with its spec label and the names it creates, and nothing for the rest', async () => {
    const r = rig();
    const seen: State[] = [];
    r.afterWrite = (_n, s) => seen.push(s);
    // At each call that creates something, the state file on disk must already say so.
    const onDisk: string[] = [];
    const creating: Record<string, string> = { startReplica: 'api', runJob: 'migrate', ensureService: 'api-svc', ensureVolume: 'orders', buildImage: 'api-image' };
    r.driver.onCall = (call) => {
      if (creating[call.op] === undefined || call.resourceId === 'worker') return;
      const raw = JSON.parse(readFileSync(r.store.statePath('shop'), 'utf8')) as { journal?: { entries: { id: string; status: string }[] } };
      const e = raw.journal?.entries.find((x) => x.id === call.resourceId);
      onDisk.push(`${call.op} ${call.resourceId}: ${e?.status ?? 'not journalled'}`);
    };
    const g = graphOf('shop', shop({ apiReplicas: 3 }));
    const run = await r.deploy(g);
    expect(run.result?.ok).toBe(true);
    expect(onDisk.length).toBeGreaterThanOrEqual(5);
    expect(onDisk.filter((x) => !x.endsWith(': started'))).toEqual([]);
    const state = await r.state();
    // Every journalled step, as its `started` entry was written.
    const started = new Map(seen.flatMap((s) => s.journal?.entries ?? []).filter((e) => e.status === 'started').map((e) => [e.id, e]));
    expect([...started.keys()].sort()).toEqual(['api', 'api-image', 'api-svc', 'migrate', 'orders', 'worker']);
    expect(started.get('api')).toMatchObject({ kind: 'Deployment', action: 'create', specHash: state?.resources['api']?.replicaHash, creates: ['replica api#0', 'replica api#1', 'replica api#2'] });
    expect(started.get('migrate')).toMatchObject({ specHash: state?.resources['migrate']?.specHash, creates: ['job migrate#0'] });
    expect(started.get('api-svc')?.creates).toEqual(['proxy api-svc']);
    // Done closes the entry in the write that records the step: nothing is left open, and
    // there is no write in which a step is neither journalled nor recorded.
    expect(state?.journal?.entries).toEqual([]);
    expect(state?.journal?.release).toBe('r1');
    for (const id of started.keys()) {
      const first = seen.findIndex((s) => s.journal?.entries.some((e) => e.id === id));
      const recorded = seen.findIndex((s) => s.resources[id] !== undefined);
      expect(first, id).toBeGreaterThanOrEqual(0);
      expect(first, id).toBeLessThan(recorded);
      for (const s of seen.slice(first)) expect(s.journal?.entries.some((e) => e.id === id) || s.resources[id] !== undefined, id).toBe(true);
    }
  });

  it('group-commits: steps that start and finish together share writes', async () => {
    const r = rig('vols');
    const g = graphOf('vols', (c: Cluster) => {
      for (let i = 0; i < 12; i++) new Volume(c, `v${i}`);
    });
    const run = await r.deploy(g, { parallelism: 16 });
    expect(run.result?.ok).toBe(true);
    // 12 steps, each `started` then `done` + record: 24 commits, but 12 start in one tick.
    expect(run.writes).toBeLessThanOrEqual(4);
    expect((await r.state())?.journal?.entries).toEqual([]);
  });

  it('a deploy with nothing to do writes nothing, and a noop plan through execute writes nothing either', async () => {
    const r = rig();
    const g = graphOf('shop', shop());
    await r.deploy(g);
    const serial = (await r.state())?.serial;
    const again = await r.deploy(g);
    expect(again.plan?.changes.every((c) => c.action === 'noop')).toBe(true);
    expect(again.writes).toBe(0);
    expect((await r.state())?.serial).toBe(serial);
  });

  it('a failed rollout is journalled failed, with the old replicas serving', async () => {
    const r = rig();
    const g1 = graphOf('shop', shop({ version: 'v1' }));
    await r.deploy(g1);
    const old = r.driver.of('api').map((c) => c.id);
    const g2 = graphOf('shop', shop({ version: 'v2' }));
    r.driver.fail({ on: 'ready', resourceId: 'api', reason: 'health check failed 3 times' });
    const run = await r.deploy(g2);
    expect(run.result?.failures).toMatchObject([{ id: 'api', rolledBack: true }]);
    expect(r.driver.of('api').filter((c) => c.state === 'running').map((c) => c.id)).toEqual(old);
    const entry = (await r.state())?.journal?.entries.find((e) => e.id === 'api');
    expect(entry?.status).toBe('failed');
    // Announced once, as the CLI prints it: the failed step says it rolled back; no progress line repeats it.
    const out: string[] = [];
    const print = progressPrinter({ write: (t: string) => out.push(t) }, { color: false, json: false, verbose: false });
    for (const e of run.events) print(e);
    expect(out.join('').match(/rolled back/g), out.join('')).toHaveLength(1);
  });
});
