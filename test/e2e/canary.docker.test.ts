/**
 * Canaries end to end on a real engine (fixture "web" with `update.canary` on site, steps in
 * order), a steady client on a CGI page throughout: auto-promote, abort on a failing health
 * check, abort on an error-rate breach (the new build answers 500), each with no failed request
 * on the old replicas and the old replicas untouched; then a manual canary that holds, shows in
 * status, and is aborted, then held again and promoted.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  berth,
  deploy,
  destroy,
  engineAvailable,
  forceRemove,
  get,
  getOk,
  isHealthyRunning,
  leftovers,
  makeApp,
  NOTHING,
  removeImagesAndDir,
  replicas,
  shown,
  skipNote,
  steadyClient,
  type App,
  type SteadyResult,
} from './harness.ts';

const LONG = 300_000;
const PAGE = '/cgi-bin/page';

describe.skipIf(!engineAvailable)(`canary rollouts on a real engine${skipNote}`, () => {
  let app: App;
  /** The CGI page the client reads: `site vN`, or a 500 answer with body "broken". */
  const page = (text: string | 'broken'): void => {
    const file = join(app.dir, 'site/cgi-bin/page');
    writeFileSync(
      file,
      text === 'broken'
        ? "#!/bin/sh\nprintf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\n'\necho broken\n"
        : `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\necho '${text}'\n`,
    );
    chmodSync(file, 0o755);
  };
  const canary = (promote: 'auto' | 'manual'): void =>
    app.edit('cluster.ts', (t) =>
      t.includes('canary:')
        ? t.replace(/promote: '(auto|manual)'/, `promote: '${promote}'`)
        : t.replace("progressDeadline: '90s' }", `progressDeadline: '90s', canary: { replicas: 1, pause: '6s', promote: '${promote}' } }`),
    );
  const siteIds = (): string[] => replicas(app.cluster, 'site').map((c) => c.id);
  const specs = (): Set<string> => new Set(replicas(app.cluster, 'site').map((c) => c.labels['berth.spec'] ?? ''));
  /** Failures that did not come from a canary answering 500: what the old replicas (or the proxy) failed. */
  const notFromCanary = (seen: SteadyResult): string[] => seen.failures.filter((f) => !/^status 500: broken/.test(f));

  beforeAll(async () => {
    app = await makeApp('web', 'canary');
    canary('auto');
    page('site v1');
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect((await getOk(app.port, PAGE)).body).toBe('site v1\n');
  }, LONG);

  afterAll(async () => {
    if (!app) return;
    const r = await destroy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(leftovers(app.cluster)).toEqual(NOTHING);
    forceRemove(app.cluster);
    removeImagesAndDir(app);
  });

  it('auto: the canary serves beside the old replicas for the pause, then the rest roll; 0 failed requests', { timeout: LONG }, async () => {
    page('site v2');
    const client = steadyClient(app.port, { path: PAGE });
    const r = await deploy(app);
    const seen = await client.stop();
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain('site: canary: starting 1 replica of the new spec beside 3');
    expect(r.stdout).toContain('site: canary promoted: rolling the other 2 replicas');
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    expect(seen.bodies).toEqual(['site v1', 'site v2']);
    expect(replicas(app.cluster, 'site')).toHaveLength(3);
    expect(replicas(app.cluster, 'site').every(isHealthyRunning)).toBe(true);
    expect(specs().size).toBe(1);
  });

  it('a failing health check aborts the canary: removed, the old replicas untouched, the reason shown', { timeout: LONG }, async () => {
    const before = siteIds();
    page('site v3');
    app.edit('cluster.ts', (t) => t.replace(/const HEALTH_PATH = '[^']*'/, "const HEALTH_PATH = '/no-such-page'"));
    const client = steadyClient(app.port, { path: PAGE });
    const r = await deploy(app);
    const seen = await client.stop();
    app.edit('cluster.ts', (t) => t.replace(/const HEALTH_PATH = '[^']*'/, "const HEALTH_PATH = '/'"));
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/canary of site aborted: canary replica 0 did not become ready: health check failed/);
    expect(r.stdout).toContain('rolled back: the previous replicas keep serving');
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    expect(seen.bodies).toEqual(['site v2']);
    expect(siteIds()).toEqual(before);
    expect(replicas(app.cluster, 'site').every(isHealthyRunning)).toBe(true);
  });

  it('an error-rate breach (the new build answers 500) aborts the canary; none of the old replicas failed a request', { timeout: LONG }, async () => {
    const before = siteIds();
    page('broken');
    const client = steadyClient(app.port, { path: PAGE });
    const r = await deploy(app);
    const seen = await client.stop();
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toMatch(/canary of site aborted: \d+ failed requests? to the canary \(5xx answers or failed connections; at most 0 allowed\)/);
    // The canary's 500s reached the client while it was watched — and nothing else failed.
    expect(seen.failed).toBeGreaterThan(0);
    expect(notFromCanary(seen), seen.failures.join('\n')).toEqual([]);
    expect(seen.ok).toBeGreaterThan(seen.failed);
    expect(siteIds()).toEqual(before);
    expect((await get(app.port, PAGE)).body).toBe('site v2\n');
    // The canary left within a look or two of its first error, well before its 6 s pause.
    expect(r.stdout).not.toContain('canary promoted');
  });

  it('manual: the canary holds after its pause, status shows it; abort removes it and leaves the old replicas', { timeout: LONG }, async () => {
    const before = siteIds();
    canary('manual');
    page('site v3');
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain('site: canary of 1 replica passed its pause and runs beside the old ones; finish with berth promote site or berth abort site');
    expect(replicas(app.cluster, 'site')).toHaveLength(4);
    expect(specs().size).toBe(2);
    const st = await berth(['status', '--app', app.file], { cwd: app.dir });
    expect(st.code, shown(st)).toBe(0);
    expect(st.stdout).toMatch(/site +Deployment +3\/3 \+ canary 1\/1 of r\d+ \(berth promote site \| berth abort site\)/);
    const h = await berth(['history', '--app', app.file], { cwd: app.dir });
    expect(h.stdout).toMatch(/result: canary holds: canary of site waits for berth promote or berth abort/);

    const client = steadyClient(app.port, { path: PAGE });
    const a = await berth(['abort', 'site', '--app', app.file], { cwd: app.dir });
    const seen = await client.stop();
    expect(a.code, shown(a)).toBe(0);
    expect(a.stdout).toMatch(/aborted the canary of site \(1 container removed\); the old replicas keep serving/);
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    expect(siteIds()).toEqual(before);
    expect((await get(app.port, PAGE)).body).toBe('site v2\n');
    const st2 = await berth(['status', '--app', app.file], { cwd: app.dir });
    expect(st2.stdout).not.toContain('+ canary');
    // The program still differs from what runs.
    const d = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(d.code, shown(d)).toBe(2);
  });

  it('manual: held again, berth promote rolls the rest with 0 failed requests', { timeout: LONG }, async () => {
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toContain('berth promote site');
    const client = steadyClient(app.port, { path: PAGE });
    const p = await berth(['promote', 'site', '--app', app.file], { cwd: app.dir });
    const seen = await client.stop();
    expect(p.code, shown(p)).toBe(0);
    expect(p.stdout).toContain('Promoting the canary of site');
    expect(seen.failed, seen.failures.join('\n')).toBe(0);
    // The held canary answered v3 before the promote began: both versions, in either order.
    expect([...seen.bodies].sort()).toEqual(['site v2', 'site v3']);
    expect(replicas(app.cluster, 'site')).toHaveLength(3);
    expect(specs().size).toBe(1);
    expect((await get(app.port, PAGE)).body).toBe('site v3\n');
    const again = await berth(['promote', 'site', '--app', app.file], { cwd: app.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Deployment site has no canary waiting');
    const h = await berth(['history', '--app', app.file, '--json'], { cwd: app.dir });
    const releases = (JSON.parse(h.stdout) as { releases: Array<{ result: string; reason?: string }> }).releases;
    expect(releases[0]?.result).toBe('ok');
    expect(releases[1]).toMatchObject({ result: 'ok', reason: expect.stringMatching(/^canary promoted by r\d+$/) as unknown as string });
  });
});
