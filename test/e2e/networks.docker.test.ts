/**
 * Networks on a real engine: Deployments that list a Network join it besides the cluster
 * network and reach each other there by resource id, while a Deployment that does not list it
 * cannot; `internal` is the engine's Internal flag; changing it recreates the network and
 * rolls the Deployments on it; destroy leaves no network behind.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck } from './converge.ts';
import { berth, deploy, engineAvailable, makeApp, replicas, shown, skipNote, type App } from './harness.ts';

const LONG = 180_000;

function docker(args: readonly string[]): { code: number | null; out: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Names of the networks a container is attached to. */
function networksOf(containerId: string): string[] {
  return docker(['inspect', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', containerId]).out.trim().split(/\s+/).filter(Boolean).sort();
}

const internal = (name: string): string => docker(['network', 'inspect', '--format', '{{.Internal}}', name]).out.trim();

/** Whether `from`'s replica gets an answer from http://<host>:8080/ (busybox wget). */
function reaches(app: App, from: string, host: string): boolean {
  const [c] = replicas(app.cluster, from);
  if (!c) throw new Error(`no replica of ${from}`);
  // busybox wget crashes with -T here: the time limit comes from timeout(1).
  return docker(['exec', c.id, 'timeout', '10', 'wget', '-q', '-O', '/dev/null', `http://${host}:8080/`]).code === 0;
}

describe.skipIf(!engineAvailable)(`berth deploy: Deployments on an extra Network${skipNote}`, () => {
  let app: App;
  let net: string;
  beforeAll(async () => {
    app = await makeApp('networks', 'net');
    net = `berth-${app.cluster}-backend`;
  });
  afterAll(() => destroyAndCheck(app), LONG);

  it('joins the listed Deployments to the network under their ids, and only them', { timeout: LONG }, async () => {
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    const [api] = replicas(app.cluster, 'api');
    const [lonely] = replicas(app.cluster, 'lonely');
    expect(networksOf(api?.id ?? '')).toEqual([`berth-${app.cluster}`, net].sort());
    expect(networksOf(lonely?.id ?? '')).toEqual([`berth-${app.cluster}`]);
    expect(internal(net)).toBe('true');
    expect(reaches(app, 'api', 'db')).toBe(true);
    expect(reaches(app, 'lonely', 'db')).toBe(false);
    const again = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(again.code, shown(again)).toBe(0);
  });

  it('a changed internal flag recreates the network and rolls the Deployments on it, not the others', { timeout: LONG }, async () => {
    const before = Object.fromEntries(['api', 'db', 'lonely'].map((d) => [d, replicas(app.cluster, d).map((c) => c.id)]));
    app.edit('cluster.ts', (t) => t.replace('const INTERNAL = true;', 'const INTERNAL = false;'));
    const r = await deploy(app);
    expect(r.code, shown(r)).toBe(0);
    expect(internal(net)).toBe('false');
    expect(replicas(app.cluster, 'lonely').map((c) => c.id)).toEqual(before['lonely']);
    for (const d of ['api', 'db']) {
      const now = replicas(app.cluster, d);
      expect(now.map((c) => c.id), `${d} rolled`).not.toEqual(before[d]);
      expect(networksOf(now[0]?.id ?? ''), `${d} networks`).toContain(net);
    }
    expect(reaches(app, 'api', 'db')).toBe(true);
    const again = await berth(['diff', '--app', app.file], { cwd: app.dir });
    expect(again.code, shown(again)).toBe(0);
  });
});
