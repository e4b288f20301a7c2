/**
 * Shared steps of the interruption suites on fixture "web": kill a deploy at a point of its
 * output, check that a rerun converged, destroy and check that nothing is left.
 */
import { expect } from 'vitest';
import { containers, destroy, forceRemove, getOk, isHealthyRunning, leftovers, NOTHING, readState, removeImagesAndDir, replicas, shown, sleep, start, type App } from './harness.ts';

/** Starts a deploy, waits for `when` on its stdout (plus `delayMs`), kills it with SIGKILL by pid. */
export async function killDeployAt(app: App, when: RegExp, delayMs = 0): Promise<string> {
  const run = start(['deploy', '--app', app.file, '--yes'], { cwd: app.dir });
  await run.waitFor(when);
  if (delayMs > 0) await sleep(delayMs);
  process.kill(run.pid, 'SIGKILL');
  const r = await run.done;
  expect(r.signal, `berth finished before it was killed:\n${shown(r)}`).toBe('SIGKILL');
  return r.stdout;
}

/**
 * After a rerun of fixture "web": the state file parses; site has exactly ordinals 0..2, all
 * healthy on the spec state recorded; other has one replica; one proxy; nothing else carries
 * the cluster label; the Service answers with `body`.
 */
export async function expectConverged(app: App, body: string): Promise<void> {
  const state = readState(app);
  const site = replicas(app.cluster, 'site');
  expect(site.map((c) => c.labels['berth.ordinal']).sort()).toEqual(['0', '1', '2']);
  expect(site.every(isHealthyRunning), JSON.stringify(site, null, 1)).toBe(true);
  expect(new Set(site.map((c) => c.labels['berth.spec']))).toEqual(new Set([state.resources['site']?.replicaHash]));
  const other = replicas(app.cluster, 'other');
  expect(other).toHaveLength(1);
  expect(other.every(isHealthyRunning)).toBe(true);
  const proxies = containers(app.cluster, { 'berth.component': 'proxy' });
  expect(proxies.map((c) => c.state)).toEqual(['running']);
  // 3 site + 1 other + 1 proxy: nothing left over from the killed run.
  expect(containers(app.cluster).map((c) => c.name)).toHaveLength(5);
  expect((await getOk(app.port)).body).toBe(body);
}

/** berth destroy, then nothing with the cluster label may be left. */
export async function destroyAndCheck(app: App | undefined): Promise<void> {
  if (!app) return;
  try {
    const r = await destroy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(leftovers(app.cluster)).toEqual(NOTHING);
  } finally {
    forceRemove(app.cluster);
    removeImagesAndDir(app);
  }
}
