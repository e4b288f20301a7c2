/**
 * A deploy killed at every point, then deployed again: at each driver call of a full run (the
 * process dies before the call acts) and after each durable state write (the journal points),
 * for a first deploy of the shop and for a rolling update of it. The points are counted from a
 * full run, not picked. After the rerun: it succeeded, the runtime holds exactly the program
 * (no orphan, no duplicate container), the migration ran once, state parses with no open
 * journal step, and a third deploy has nothing to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Deployment, Job, type Cluster, type GraphJson } from '@berth/core';
import { expectConverged, graphOf, Rig, shop } from './rig.ts';

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.dispose();
});

interface Scenario {
  readonly name: string;
  /** Deployed (and not interrupted) first. */
  readonly before?: GraphJson;
  readonly graph: GraphJson;
}

const v1 = graphOf('shop', shop({ version: 'v1', apiReplicas: 2 }));
const scenarios: Scenario[] = [
  { name: 'a first deploy', graph: v1 },
  // A code change (the image) and a scale-up with maxSurge 0: job re-run, api rolled one by one.
  { name: 'a rolling update', before: v1, graph: graphOf('shop', shop({ version: 'v2', apiReplicas: 3, surge: 0, unavailable: 1 }), { './api': 'v2' }) },
];

async function prepared(s: Scenario): Promise<Rig> {
  const rig = new Rig('shop');
  rigs.push(rig);
  if (s.before) {
    const r = await rig.deploy(s.before);
    expect(r.result?.ok).toBe(true);
  }
  return rig;
}

/** Runs of the final migration spec that really started a container (not counting a call killed before it acted). */
function jobRuns(rig: Rig, specHash: string | undefined): () => number {
  let runs = 0;
  const prev = rig.driver.onChange;
  rig.driver.onChange = (what, d) => {
    prev?.(what, d);
    if (what.startsWith('job shop-migrate-') && what.endsWith(`-${(specHash ?? '').slice(0, 8)}`)) runs++;
  };
  return () => runs;
}

async function rerunConverges(rig: Rig, s: Scenario, where: string): Promise<void> {
  rig.driver.onCall = undefined;
  rig.afterWrite = undefined;
  const again = await rig.deploy(s.graph);
  expect(again.result?.ok ?? true, `${where}: rerun failed: ${JSON.stringify(again.result?.failures)}`).toBe(true);
  await expectConverged(rig, s.graph);
  const third = await rig.deploy(s.graph);
  expect(third.result, `${where}: the deploy after the rerun still had work: ${JSON.stringify(third.plan?.changes.filter((c) => c.action !== 'noop').map((c) => `${c.id} ${c.action}`))}`).toBeUndefined();
}

describe.each(scenarios)('killed during $name, then deployed again', (s) => {
  it('at every driver call: converges, no orphan, no duplicate, the migration ran once', { timeout: 60_000 }, async () => {
    // Count the points: a full, uninterrupted run.
    const full = await prepared(s);
    const base = full.driver.calls.length;
    const run = await full.deploy(s.graph);
    expect(run.result?.ok).toBe(true);
    const points = full.driver.calls.length - base;
    const finalJob = (await full.state())?.resources['migrate']?.specHash;
    expect(points).toBeGreaterThan(20);

    for (let k = 1; k <= points; k++) {
      const rig = await prepared(s);
      const runs = jobRuns(rig, finalJob);
      const at = rig.driver.calls.length + k;
      rig.driver.onCall = (call, d) => {
        if (call.n === at) d.kill();
      };
      await rig.deploy(s.graph);
      expect(rig.driver.isKilled, `point ${k} was never reached`).toBe(true);
      const where = `killed before call ${k}/${points} (${rig.driver.calls[at - 1]?.op} ${rig.driver.calls[at - 1]?.resourceId ?? ''})`;
      await rerunConverges(rig, s, where);
      expect(runs(), `${where}: migration runs`).toBe(1);
      rig.dispose();
      rigs.splice(rigs.indexOf(rig), 1);
    }
  });

  it('after every durable state write (each journal point): converges the same way', { timeout: 60_000 }, async () => {
    const full = await prepared(s);
    const run = await full.deploy(s.graph);
    const writes = run.writes;
    expect(writes).toBeGreaterThan(4);
    const finalJob = (await full.state())?.resources['migrate']?.specHash;

    for (let w = 1; w <= writes; w++) {
      const rig = await prepared(s);
      const runs = jobRuns(rig, finalJob);
      let journalled: string[] = [];
      rig.afterWrite = (n, written, d) => {
        if (n !== w) return;
        journalled = (written.journal?.entries ?? []).map((e) => `${e.id}:${e.status}`);
        d.kill();
      };
      await rig.deploy(s.graph);
      const where = `killed after write ${w}/${writes} (journal ${journalled.join(' ')})`;
      // Group commit may batch differently from the counting run: a run with fewer writes ends first.
      if (!rig.driver.isKilled) continue;
      await rerunConverges(rig, s, where);
      expect(runs(), `${where}: migration runs`).toBe(1);
      rig.dispose();
      rigs.splice(rigs.indexOf(rig), 1);
    }
  });
});

describe('a Job an interrupted deploy started', () => {
  const program = (c: Cluster): void => {
    new Job(c, 'migrate', { image: 'busybox:1', command: ['migrate'], timeout: '1m' });
    new Deployment(c, 'side', { image: 'busybox:1', replicas: 3 });
  };
  const g = graphOf('shop', program);

  for (const when of ['still running', 'exited 0'] as const) {
    it(`is adopted, not run twice, when the rerun finds it ${when}`, async () => {
      const rig = new Rig('shop', { jobMs: when === 'still running' ? 120 : 10 });
      rigs.push(rig);
      let runs = 0;
      // The process dies the moment the job's container starts (it runs on), or ends.
      rig.driver.onChange = (what, d) => {
        if (/^job shop-migrate-/.test(what)) runs++;
        if (what.startsWith(when === 'still running' ? 'job shop-migrate-' : 'job end shop-migrate-')) d.kill();
      };
      await rig.deploy(g);
      expect(rig.driver.isKilled).toBe(true);
      const container = rig.driver.of('migrate')[0]?.id;
      expect((await rig.state())?.resources['migrate']).toBeUndefined();
      rig.driver.onChange = (what) => {
        if (/^job shop-migrate-/.test(what)) runs++;
      };
      const again = await rig.deploy(g);
      expect(again.result?.ok).toBe(true);
      expect(runs).toBe(1);
      expect(rig.driver.of('migrate').map((c) => c.id)).toEqual([container]);
      expect((await rig.state())?.resources['migrate']?.outputs).toMatchObject({ containerId: container, exitCode: 0, adopted: true });
      await expectConverged(rig, g);
    });
  }

  it('is run again when the interrupted run failed', async () => {
    const rig = new Rig('shop', { jobMs: 10 });
    rigs.push(rig);
    rig.driver.fail({ on: 'job', resourceId: 'migrate', times: 1 });
    rig.driver.onChange = (what, d) => {
      if (what.startsWith('job end shop-migrate-')) d.kill();
    };
    await rig.deploy(g);
    expect(rig.driver.isKilled).toBe(true);
    const failedRun = rig.driver.of('migrate')[0]?.id;
    rig.driver.onChange = undefined;
    const again = await rig.deploy(g);
    expect(again.result?.ok).toBe(true);
    expect(rig.driver.of('migrate').map((c) => c.id)).not.toEqual([failedRun]);
    await expectConverged(rig, g);
  });
});

describe('a cut-short step the program no longer asks for', () => {
  it('plans as a repair from the journal alone, where the runtime shows no drift', async () => {
    const rig = await prepared({ name: '', graph: v1 });
    await rig.deploy(v1);
    const v2 = graphOf('shop', shop({ version: 'v2' }));
    // Killed right after "api: started" is durable, before the rollout touched anything.
    rig.afterWrite = (_n, written, d) => {
      if (written.journal?.entries.some((e) => e.id === 'api' && e.status === 'started')) d.kill();
    };
    await rig.deploy(v2);
    expect(rig.driver.isKilled).toBe(true);
    rig.afterWrite = undefined;
    const again = await rig.deploy(v1);
    const api = again.plan?.changes.find((c) => c.id === 'api');
    expect(api).toMatchObject({ action: 'repair', reasons: [expect.stringMatching(/an earlier deploy was interrupted during its replace step \(journal\)/)] });
    expect(again.result?.ok).toBe(true);
    await expectConverged(rig, v1);
    expect((await rig.deploy(v1)).result).toBeUndefined();
  });

  it('is repaired back to what state records when the program was reverted meanwhile', async () => {
    const rig = await prepared({ name: '', graph: v1 });
    await rig.deploy(v1);
    const v2 = graphOf('shop', shop({ version: 'v2', apiReplicas: 2, withWorker: true }));
    // Killed once the first new api replica is ready (it serves, beside the old ones).
    rig.driver.onCall = (call, d) => {
      if (call.op === 'stopReplica' && call.resourceId === 'api') d.kill();
    };
    await rig.deploy(v2);
    expect(rig.driver.isKilled).toBe(true);
    expect(new Set(rig.driver.of('api').map((c) => c.specHash)).size).toBe(2);
    // The user reverts to v1: state still records v1; the half-done rollout shows as drift and the journal.
    rig.driver.onCall = undefined;
    const again = await rig.deploy(v1);
    const api = again.plan?.changes.find((c) => c.id === 'api');
    expect(api?.action).toBe('repair');
    expect(again.result?.ok).toBe(true);
    await expectConverged(rig, v1);
  });

  it('is undone when its resource left the program and was never recorded', async () => {
    const rig = await prepared({ name: '', graph: v1 });
    await rig.deploy(v1);
    const withBatch = graphOf('shop', (c) => {
      shop()(c);
      new Deployment(c, 'batch', { image: 'busybox:1', replicas: 2 });
    });
    rig.driver.onCall = (call, d) => {
      if (call.op === 'waitReady' && call.resourceId === 'batch') d.kill();
    };
    await rig.deploy(withBatch);
    expect(rig.driver.isKilled).toBe(true);
    expect(rig.driver.of('batch').length).toBeGreaterThan(0);
    rig.driver.onCall = undefined;
    const again = await rig.deploy(v1);
    expect(again.result?.ok).toBe(true);
    expect(rig.driver.of('batch')).toEqual([]);
    await expectConverged(rig, v1);
  });
});
