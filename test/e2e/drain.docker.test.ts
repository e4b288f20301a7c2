/**
 * Rollouts drain before they stop (fixture "drain"): with requests that take 1.5 s always in
 * flight, every old replica leaves the Service, finishes what it serves, and only then gets its
 * stop signal — across many rollouts and a rollback, not one request fails. Busybox httpd exits
 * at once on its signal, so a replica stopped with a request in flight cuts it: without the
 * drain this test fails in its first rollout.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck } from './converge.ts';
import { deploy, engineAvailable, getOk, isHealthyRunning, makeApp, replicas, shown, skipNote, steadyClient, type App, type SteadyResult } from './harness.ts';

const ROLLOUTS = Number(process.env['BERTH_E2E_DRAIN_ROLLOUTS'] ?? 10);
const CLIENTS = 4;
// Each rollout of 2 replicas takes some 10 s on a shared 2-core machine.
const LONG = 60_000 + ROLLOUTS * 45_000;

describe.skipIf(!engineAvailable)(`berth deploy: rollouts drain in-flight requests${skipNote}`, () => {
  let app: App;

  beforeAll(async () => {
    app = await makeApp('drain', 'drain');
  });

  afterAll(() => destroyAndCheck(app), LONG);

  const setVersion = (v: string): void => app.edit('cluster.ts', (t) => t.replace(/const VERSION = '[^']*'/, `const VERSION = '${v}'`));
  /** Several clients at once, so a slow request is in flight on every replica at every moment. */
  const clients = () => {
    const cs = Array.from({ length: CLIENTS }, () => steadyClient(app.port, { path: '/cgi-bin/slow', everyMs: 10 }));
    return async (): Promise<SteadyResult> => {
      const all = await Promise.all(cs.map((c) => c.stop()));
      return {
        total: all.reduce((n, s) => n + s.total, 0),
        ok: all.reduce((n, s) => n + s.ok, 0),
        failed: all.reduce((n, s) => n + s.failed, 0),
        failures: all.flatMap((s) => s.failures),
        bodies: [...new Set(all.flatMap((s) => s.bodies))],
      };
    };
  };

  it('the stop signal and grace period reach the containers', { timeout: LONG }, async () => {
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect((await getOk(app.port, '/cgi-bin/slow')).body).toBe('v0\n');
    const ids = replicas(app.cluster, 'slow').map((c) => c.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const out = spawnSync('docker', ['inspect', '--format', '{{.Config.StopSignal}} {{.Config.StopTimeout}}', id], { encoding: 'utf8' });
      expect(out.stdout.trim()).toBe('SIGINT 5');
    }
  });

  it(`${ROLLOUTS} rollouts and a rollback under steady slow requests: 0 failed`, { timeout: LONG }, async () => {
    const stop = clients();
    const t0 = Date.now();
    for (let i = 1; i <= ROLLOUTS; i++) {
      setVersion(`v${i}`);
      const r = await deploy(app);
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout).toMatch(/^± slow replace Deployment/m);
    }
    // A rollback: the new replicas never become ready, the old ones keep serving.
    app.edit('cluster.ts', (t) => t.replace(/const HEALTH_PATH = '[^']*'/, "const HEALTH_PATH = '/no-such-page'"));
    setVersion('broken');
    const bad = await deploy(app);
    expect(bad.code, shown(bad)).toBe(1);
    expect(bad.stdout).toContain('rolled back: the previous replicas keep serving');
    const seen = await stop();
    console.log(`drain: ${ROLLOUTS} rollouts + 1 rollback in ${Math.round((Date.now() - t0) / 1000)} s; ${seen.total} requests, ${seen.failed} failed`);
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    // Every version answered (the clients saw each rollout), and the broken one never did.
    expect(seen.bodies).toContain(`v${ROLLOUTS}`);
    expect(seen.bodies).not.toContain('broken');
    expect(seen.total).toBeGreaterThan(ROLLOUTS * 4);
    const live = replicas(app.cluster, 'slow');
    expect(live).toHaveLength(2);
    expect(live.every(isHealthyRunning)).toBe(true);
    expect((await getOk(app.port, '/cgi-bin/slow')).body).toBe(`v${ROLLOUTS}\n`);
  });
});
