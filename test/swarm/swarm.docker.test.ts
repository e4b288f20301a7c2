// The Swarm target end to end: the built `berth` CLI against a real 3-node Docker Swarm in
// network namespaces (scripts/testbed/swarm-up.sh), deploying examples/shop with only its target
// changed. The swarm is looked at through the nodes' Engine API sockets and from inside the
// namespaces, never through berth's own code.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, berth, containersOn, getFrom, shopOnSwarm, skipNote, steadyClient, swarmApi, swarmObjects, swarmUp, unavailable, type SwarmBed } from './bed.ts';

const KEY = 'k3y-first-0c9d1e';
const ROTATED = 'k3y-rotated-77ab42';

interface Task {
  ID: string;
  NodeID: string;
  DesiredState: string;
  Status: { State: string; Err?: string };
  Spec: { ContainerSpec: { Labels?: Record<string, string> } };
}
interface SwarmNodeInfo {
  ID: string;
  Description: { Hostname: string };
  Status: { State: string };
}

describe.skipIf(unavailable !== undefined)(`the Swarm target on three real nodes${skipNote}`, () => {
  let bed: SwarmBed;
  let app: string;
  let sock: string;
  const env = (key = KEY): Record<string, string> => ({ SHOP_API_KEY: key });

  /** Running tasks of a service, with the hostname of their node. */
  const running = async (service: string): Promise<Array<Task & { node: string }>> => {
    const nodes = await swarmApi<SwarmNodeInfo[]>(sock, '/nodes');
    const host = new Map(nodes.map((n) => [n.ID, n.Description.Hostname]));
    const tasks = await swarmApi<Task[]>(sock, `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`);
    return tasks.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running').map((t) => ({ ...t, node: host.get(t.NodeID) ?? '?' }));
  };
  const until = async (what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const storefrontFrom = (netns: string, address: string): string | undefined => getFrom(netns, `http://${address}:8081/`, 3);

  beforeAll(() => {
    bed = swarmUp();
    sock = bed.nodes[0]?.sock ?? '';
    app = shopOnSwarm(bed);
  }, 240_000);

  afterAll(() => {
    if (!bed) return;
    const down = bed.down();
    if (process.env['BERTH_SW_KEEP'] === '1') return;
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(bed.prefix);
    if (!/teardown/.test(down.log)) throw new Error(`swarm-down.sh:\n${down.log}`);
  }, 120_000);

  it('deploys examples/shop with only its target changed, and every task converges', async () => {
    const diff = await berth(['diff', '--app', app], env());
    expect(diff.code, diff.stdout + diff.stderr).toBe(2);
    expect(diff.stdout).toMatch(/note: shop\/api: runs on one node only: it mounts volume shop\/orders/);
    const r = await berth(['deploy', '--yes', '--app', app], env());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Live progress per service and node, as Swarm reports it.
    expect(r.stdout).toMatch(/api: 2\/2 running \(bsw\w+-n\d: 2\)/);
    expect(r.stdout).toMatch(/storefront-svc: 3\/3 running/);
    expect((await running('shop-api')).length).toBe(2);
    expect((await running('shop-storefront-app')).length).toBe(2);
    expect((await running('shop-worker')).length).toBe(1);
    // The api and its migration share a node-local volume: both ran on the volume's node.
    expect(new Set((await running('shop-api')).map((t) => t.node)).size).toBe(1);
    const objects = await swarmObjects(sock, 'shop');
    expect(objects.services.sort()).toEqual(['shop-api', 'shop-api-svc', 'shop-migrate', 'shop-storefront-app', 'shop-storefront-svc', 'shop-worker']);
    expect(objects.secrets).toHaveLength(1);
    expect(objects.configs).toHaveLength(1);
    // Images built once on the manager were shipped to every node, pinned by id.
    const apiImage = (await swarmApi<{ Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } }>(sock, '/services/shop-api')).Spec.TaskTemplate.ContainerSpec.Image;
    expect(apiImage).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const n of bed.nodes) expect((await api(n.sock, `/v1.41/images/${apiImage}/json`)).status, n.name).toBe(200);
  }, 300_000);

  it('answers a published Service on every node’s address, and in-cluster clients reach the api by name', async () => {
    for (const n of bed.nodes) {
      const from = bed.nodes.find((x) => x !== n) ?? n;
      expect(storefrontFrom(from.netns, n.address), `${n.name} ${n.address}:8081`).toMatch(/berth shop/);
    }
    // The worker calls http://api:80 in a loop and prints only when it cannot reach it.
    const logs = await berth(['logs', 'worker', '--app', app], env());
    expect(logs.code).toBe(0);
    expect(logs.stdout).not.toMatch(/api not reachable/);
    const status = await berth(['status', '--app', app], env());
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/storefront-svc\s+Service\s+3\/3/);
    expect(status.stdout).toMatch(/migrate\s+Job\s+complete/);
  }, 120_000);

  it('plans nothing for an unchanged program (diff exits 0)', async () => {
    const r = await berth(['diff', '--app', app], env());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No changes/);
    expect(r.stdout).toMatch(/Running now \(shop, placed by swarm\)/);
  }, 60_000);

  it('shows a hand edit (docker service update by someone else) as drift per property, and puts it back', async () => {
    const cur = await swarmApi<{ ID: string; Version: { Index: number }; Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } } & Record<string, unknown> }>(sock, '/services/shop-worker');
    const spec = { ...cur.Spec, TaskTemplate: { ...cur.Spec.TaskTemplate, ContainerSpec: { ...cur.Spec.TaskTemplate.ContainerSpec, Env: [...(cur.Spec.TaskTemplate.ContainerSpec.Env ?? []), 'BY_HAND=1'] } } };
    const up = spawnSync('curl', ['-sf', '--unix-socket', sock, '-H', 'Content-Type: application/json', '-X', 'POST', '--data-binary', JSON.stringify(spec), `http://d/v1.41/services/${cur.ID}/update?version=${cur.Version.Index}`], { encoding: 'utf8' });
    expect(up.status, up.stderr).toBe(0);
    const diff = await berth(['diff', '--app', app], env());
    expect(diff.code, diff.stdout).toBe(2);
    expect(diff.stdout).toMatch(/worker\s+Deployment\s+repair/);
    expect(diff.stdout).toMatch(/service env\.BY_HAND \(changed outside berth\): expected \(none\), found 1/);
    const fix = await berth(['deploy', '--yes', '--app', app], env());
    expect(fix.code, fix.stdout + fix.stderr).toBe(0);
    const after = await swarmApi<{ Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } } }>(sock, '/services/shop-worker');
    expect(after.Spec.TaskTemplate.ContainerSpec.Env).not.toContain('BY_HAND=1');
    expect((await berth(['diff', '--app', app], env())).code).toBe(0);
  }, 180_000);

  it('rolls an update under a steady client without dropping a request', async () => {
    const index = join(dirname(app), 'storefront/index.html');
    writeFileSync(index, readFileSync(index, 'utf8').replace('<h1>berth shop</h1>', '<h1>berth shop v2</h1>'));
    const client = steadyClient(bed.nodes[1]?.netns ?? '', `http://${bed.nodes[0]?.address ?? ''}:8081/`, join(dirname(app), '..', 'client-roll'));
    await new Promise((r) => setTimeout(r, 1000));
    const r = await berth(['deploy', '--yes', '--app', app], env());
    await new Promise((res) => setTimeout(res, 1000));
    const counts = await client.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/storefront-app replace/);
    expect(counts.ok).toBeGreaterThan(20);
    expect(counts.failures).toEqual([]);
    for (const n of bed.nodes) expect(storefrontFrom(bed.nodes[2]?.netns ?? '', n.address)).toMatch(/berth shop v2/);
  }, 240_000);

  it('reports Swarm’s automatic rollback of a failing health check with the reason, exits 1, and the old tasks keep serving', async () => {
    const program = readFileSync(app, 'utf8');
    writeFileSync(app, program.replace("path: '/cgi-bin/health'", "path: '/cgi-bin/missing'"));
    try {
      const before = (await running('shop-api')).map((t) => t.ID).sort();
      const r = await berth(['deploy', '--yes', '--app', app], env());
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/Swarm rolled back the update of shop-api/);
      // The reason: the task's error and the probe's own output (busybox wget on a 404).
      expect(out).toMatch(/unhealthy|health/i);
      expect(out).toMatch(/health check output \(exit 1\): .*404/i);
      expect((await running('shop-api')).map((t) => t.ID).sort()).toEqual(before);
      const svc = await swarmApi<{ UpdateStatus?: { State?: string } }>(sock, '/services/shop-api');
      expect(svc.UpdateStatus?.State).toBe('rollback_completed');
    } finally {
      writeFileSync(app, program);
    }
    // Back to the program as deployed: nothing to do (the rolled-back step was not recorded as done).
    const back = await berth(['deploy', '--yes', '--app', app], env());
    expect(back.code, back.stdout + back.stderr).toBe(0);
  }, 300_000);

  it('rotates a secret: a new versioned secret, the consumers roll, the old version goes, and the value is on no node’s disk', async () => {
    const before = (await swarmObjects(sock, 'shop')).secrets;
    const diff = await berth(['diff', '--app', app], env(ROTATED));
    expect(diff.code).toBe(2);
    expect(diff.stdout).toMatch(/api-key\s+Secret\s+update/);
    expect(diff.stdout).toMatch(/api\s+Deployment\s+replace/);
    expect(diff.stdout).not.toContain(ROTATED);
    const r = await berth(['deploy', '--yes', '--app', app], env(ROTATED));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(ROTATED);
    const after = (await swarmObjects(sock, 'shop')).secrets;
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    // Every api task reads the new value from its tmpfs mount.
    const tasks = await running('shop-api');
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      const node = bed.nodes.find((n) => n.name === t.node);
      const ids = (await containersOn(node ?? bed.nodes[0]!, 'shop')).filter((c) => c.State === 'running' && c.Labels['com.docker.swarm.task.id'] === t.ID);
      expect(ids).toHaveLength(1);
      const read = spawnSync('docker', ['-H', `unix://${node?.sock ?? ''}`, 'exec', ids[0]?.Id ?? '', 'cat', '/run/secrets/api-key'], { encoding: 'utf8' });
      expect(read.stdout.trim()).toBe(ROTATED);
    }
    // On disk (the nodes' data roots, not crossing into tmpfs mounts): neither value, anywhere.
    for (const value of [KEY, ROTATED]) {
      const g = spawnSync('bash', ['-c', `find '${bed.base}' -xdev -type f -print0 | xargs -0 grep -laF -- '${value}' 2>/dev/null; true`], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 120_000 });
      expect(g.stdout.trim(), `files holding ${value}`).toBe('');
    }
    // The state file does not hold it either.
    const state = spawnSync('bash', ['-c', `cat '${dirname(app)}'/.berth/*.json 2>/dev/null`], { encoding: 'utf8' }).stdout;
    expect(state.length).toBeGreaterThan(0);
    expect(state).not.toContain(ROTATED);
  }, 300_000);

  it('survives kill -9 of a worker’s dockerd: Swarm reschedules its tasks, status shows it, the Service keeps answering', async () => {
    const victim = (await running('shop-storefront-app')).map((t) => t.node).find((n) => n !== bed.nodes[0]?.name);
    expect(victim).toBeDefined();
    const dead = bed.node(victim ?? '');
    const alive = bed.nodes.filter((n) => n !== dead);
    const client = steadyClient(alive[1]?.netns ?? '', `http://${alive[0]?.address ?? ''}:8081/`, join(dirname(app), '..', 'client-kill'));
    bed.kill(dead.name);
    await until(`${dead.name} down in the swarm`, async () => (await swarmApi<SwarmNodeInfo[]>(sock, '/nodes')).some((n) => n.Description.Hostname === dead.name && n.Status.State === 'down'), 60_000);
    await until('storefront-app rescheduled off the dead node', async () => {
      const t = await running('shop-storefront-app');
      return t.length === 2 && t.every((x) => x.node !== dead.name);
    }, 90_000);
    const counts = await client.stop();
    const status = await berth(['status', '--app', app], env(ROTATED));
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`storefront-app\\s+Deployment\\s+2/2`));
    expect(status.stdout).toMatch(new RegExp(`${dead.name}\\s+Node\\s+down`));
    const row = status.stdout.split('\n').find((l) => /^\s*storefront-app\s/.test(l)) ?? '';
    expect(row).not.toContain(dead.name);
    for (const n of alive) expect(storefrontFrom(alive[1]?.netns ?? '', n.address), n.name).toMatch(/berth shop v2/);
    // While the node died and Swarm moved its task, the Service answered (the proxy retries the other tasks).
    expect(counts.ok).toBeGreaterThan(20);
    expect(counts.failed, counts.failures.join('\n')).toBeLessThanOrEqual(Math.ceil((counts.ok + counts.failed) * 0.05));
    bed.restart(dead.name);
    await until(`${dead.name} ready again`, async () => (await swarmApi<SwarmNodeInfo[]>(sock, '/nodes')).every((n) => n.Status.State === 'ready'), 60_000);
  }, 300_000);

  it('destroys everything of the cluster: no service, secret, config, network or container on any node', async () => {
    const r = await berth(['destroy', '--yes', '--app', app], env(ROTATED));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await swarmObjects(sock, 'shop')).toEqual({ services: [], secrets: [], configs: [], networks: [] });
    for (const n of bed.nodes) {
      await until(`no shop containers on ${n.name}`, async () => (await containersOn(n, 'shop')).length === 0, 60_000).catch(async (e: unknown) => {
        const left = (await containersOn(n, 'shop')).map((c) => `${c.Id.slice(0, 12)} ${c.State} ${JSON.stringify(c.Labels)}`);
        throw new Error(`${e instanceof Error ? e.message : String(e)}:\n${left.join('\n')}`);
      });
      const f = encodeURIComponent(JSON.stringify({ label: ['berth.cluster=shop'] }));
      expect(JSON.parse((await api(n.sock, `/v1.41/networks?filters=${f}`)).body), n.name).toEqual([]);
    }
  }, 180_000);
});
