/**
 * berth across three Docker hosts, for real: three dockerd in network namespaces
 * (scripts/testbed/multihost-up.sh, 192.168.251.1-3), the built CLI deploying
 * test/multihost/fixtures/mh to them. One bed for the whole file, set up in beforeAll and torn
 * down in afterAll even when a test fails; the `it`s run in order and build on each other:
 * deploy → Service on every node → drain → kill a node's engine → unplaceable → destroy.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedUp, berth, containers, FIXTURES, getFrom, gone, hasImage, labelled, loads, skipNote, sleep, unavailable, type Bed, type Container, type Node, type RunResult } from './bed.ts';
import type { Plan } from '@berth/engine';

const PORT = 18080;
const timings: Record<string, number> = {};
let bed: Bed | undefined;
let dir = '';
let file = '';
const cluster = `mh-${randomBytes(3).toString('hex')}`;

function theBed(): Bed {
  if (!bed) throw new Error('the test bed is not up (see beforeAll)');
  return bed;
}

function edit(f: (text: string) => string): void {
  writeFileSync(file, f(readFileSync(file, 'utf8')));
}

/** Output of a berth run for an assertion message. */
const shown = (r: RunResult): string => `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

async function deploy(): Promise<RunResult> {
  return berth(['deploy', '--app', file, '--yes']);
}

/** Running replicas of a Deployment, per node name. */
async function replicasByNode(resource: string, nodes: readonly Node[]): Promise<Map<string, Container[]>> {
  const out = new Map<string, Container[]>();
  for (const n of nodes) {
    const cs = (await containers(n, cluster)).filter((c) => c.labels['berth.resource'] === resource && c.labels['berth.component'] === 'replica' && c.state === 'running');
    out.set(n.name, cs);
  }
  return out;
}

/** Node of each running replica, by container hostname (the short id the fixture serves). */
async function hostnames(nodes: readonly Node[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of nodes) for (const c of await containers(n, cluster)) if (c.state === 'running') out.set(c.id.slice(0, 12), n.name);
  return out;
}

/** `count` GETs of the published Service on `target`'s address, from inside `from`'s namespace. */
function ask(from: Node, target: Node, count: number): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  for (let i = 0; i < count; i++) out.push(getFrom(from.netns, `http://${target.address}:${PORT}/`));
  return out;
}

/** Waits until the Service on `target` answers from `from` (a fresh proxy may need a moment). */
async function answers(from: Node, target: Node, timeoutMs = 15_000): Promise<string | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = getFrom(from.netns, `http://${target.address}:${PORT}/`);
    if (r !== undefined || Date.now() > until) return r;
    await sleep(250);
  }
}

describe.skipIf(unavailable !== undefined)(`berth on three Docker hosts in network namespaces${skipNote}`, () => {
  beforeAll(() => {
    bed = bedUp();
    timings['bed up'] = bed.upMs;
    dir = mkdtempSync(join(tmpdir(), 'berth-mh-app-'));
    cpSync(join(FIXTURES, 'mh'), dir, { recursive: true });
    file = join(dir, 'cluster.ts');
    const base = bed.base;
    edit((t) => t.replace(/const CLUSTER = '[^']*'/, `const CLUSTER = '${cluster}'`).replace(/const BASE = '[^']*'/, `const BASE = '${base}'`));
  }, 180_000);

  afterAll(() => {
    if (bed) {
      const d = bed.down();
      timings['bed down'] = d.ms;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`multihost timings (ms) and counts: ${JSON.stringify(timings, null, 1)}`);
  }, 90_000);

  it('deploys across three nodes: the plan says where replicas go, spread 2 per node, the pinned one on its label', async () => {
    const { nodes } = theBed();
    const r = await deploy();
    timings['deploy across 3 nodes'] = r.ms;
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).toMatch(/^Placement:$/m);
    expect(r.stdout).toMatch(/^ {2}pinned: #0→n1$/m);
    for (const n of nodes) expect(r.stdout, 'published URLs').toContain(`web: http://${n.address}:${PORT}/`);
    const line = /^ {2}site: (.*)$/m.exec(r.stdout)?.[1] ?? '';
    const planned = [...line.matchAll(/#(\d)→(n\d)/g)].map((m) => m[2]);
    expect(planned, shown(r)).toHaveLength(6);
    for (const n of nodes) expect(planned.filter((x) => x === n.name), `plan: ${line}`).toHaveLength(2);

    const site = await replicasByNode('site', nodes);
    for (const n of nodes) expect(site.get(n.name)?.length, `running site replicas on ${n.name}`).toBe(2);
    // The replicas run where the plan said.
    for (const [node, cs] of site) for (const c of cs) expect(planned[Number(c.labels['berth.ordinal'])], c.name).toBe(node);
    const pinned = await replicasByNode('pinned', nodes);
    expect(pinned.get('n1')?.length).toBe(1);
    expect((pinned.get('n2')?.length ?? 0) + (pinned.get('n3')?.length ?? 0)).toBe(0);
  }, 150_000);

  it('builds the image once and ships it: the same image id on every node that runs a replica, built on one node only', async () => {
    const { nodes } = theBed();
    const site = await replicasByNode('site', nodes);
    const ids = new Set([...site.values()].flat().map((c) => c.image));
    expect(ids.size, 'one image for every replica').toBe(1);
    const [image] = [...ids];
    for (const n of nodes) expect(await hasImage(n, image ?? ''), `${image} on ${n.name}`).toBe(true);
    // The image's base was loaded on n1 only: n2 and n3 could not have built it, so it was shipped.
    expect(await hasImage(theBed().node('n1'), 'berth-test/busybox:1')).toBe(true);
    for (const n of ['n2', 'n3']) expect(await hasImage(theBed().node(n), 'berth-test/busybox:1'), `base image on ${n}`).toBe(false);
    // Two replicas per node start at once: the image was still loaded once per node.
    for (const n of ['n2', 'n3']) expect(await loads(theBed().node(n), image ?? ''), `loads of ${image} into ${n}`).toBe(1);
  });

  it('answers the published Service on every node address from another namespace, reaching replicas on several nodes', async () => {
    const { nodes } = theBed();
    const where = await hostnames(nodes);
    const sitesOn = new Map<string, Set<string>>();
    for (const target of nodes) {
      const from = nodes[target.index % nodes.length] as Node; // the next node's namespace
      expect(await answers(from, target), `${from.name} → http://${target.address}:${PORT}/`).toBeDefined();
      const got = ask(from, target, 12);
      expect(got.filter((x) => x === undefined), `failed requests ${from.name} → ${target.name}`).toHaveLength(0);
      sitesOn.set(target.name, new Set(got.map((h) => where.get(h ?? '') ?? `unknown:${h ?? ''}`)));
    }
    for (const [target, served] of sitesOn) {
      expect([...served].filter((s) => s.startsWith('unknown')), `answers via ${target}`).toHaveLength(0);
      expect(served.size, `nodes that served requests sent to ${target}: ${[...served].join(', ')}`).toBeGreaterThanOrEqual(2);
    }
  });

  it('finds nothing to change right after the deploy (berth diff exits 0: replicas and every node’s proxy match)', async () => {
    const r = await berth(['diff', '--app', file]);
    expect(r.code, shown(r)).toBe(0);
  });

  it('berth drain n3, then deploy: n3’s replicas move to n1/n2 and the output says so', async () => {
    const { nodes } = theBed();
    const d = await berth(['drain', 'n3', '--app', file]);
    expect(d.code, shown(d)).toBe(0);
    expect(d.stdout).toMatch(/n3 is draining/);
    // The drain set is in state, and the plan decides the moves: diff --json shows them with reasons.
    const stateFile = join(dir, '.berth', `${cluster}.state.json`);
    expect((JSON.parse(readFileSync(stateFile, 'utf8')) as { drained?: string[] }).drained).toEqual(['n3']);
    const j = await berth(['diff', '--app', file, '--json']);
    expect(j.code, shown(j)).toBe(2);
    const p = JSON.parse(j.stdout) as Plan;
    const siteChange = p.changes.find((c) => c.id === 'site');
    expect(siteChange?.action).toBe('update');
    expect(siteChange?.reasons.filter((x) => /^replica #\d moves n3 → n[12] because node n3 is draining$/.test(x))).toHaveLength(2);
    expect(p.placement?.moves.map((m) => [m.from, m.code, m.reason])).toEqual([
      ['n3', 'schedule.draining', 'n3: draining'],
      ['n3', 'schedule.draining', 'n3: draining'],
    ]);
    expect(p.placement?.nodes.find((n) => n.name === 'n3')?.draining).toBe(true);
    expect(p.placement?.replicas['site']?.filter((n) => n === 'n3')).toEqual([]);
    const r = await deploy();
    timings['deploy after drain'] = r.ms;
    expect(r.code, shown(r)).toBe(0);
    const moves = [...r.stdout.matchAll(/^ {2}move site #(\d): n3 → (n\d) because n3: draining$/gm)];
    expect(moves, shown(r)).toHaveLength(2);
    for (const m of moves) expect(['n1', 'n2']).toContain(m[2]);
    const site = await replicasByNode('site', nodes);
    expect(site.get('n3')).toHaveLength(0);
    expect((site.get('n1')?.length ?? 0) + (site.get('n2')?.length ?? 0)).toBe(6);
    // n3 keeps its proxy: the Service still answers there, from replicas on n1/n2.
    const where = await hostnames(nodes);
    const got = ask(theBed().node('n1'), theBed().node('n3'), 6);
    for (const h of got) expect(['n1', 'n2'], `answer ${h ?? '(none)'}`).toContain(where.get(h ?? ''));
  }, 150_000);

  it('kill -9 of n2’s dockerd: the next deploy says n2 is unreachable, reschedules its replicas onto healthy nodes, and the Service keeps answering', async () => {
    const b = theBed();
    const undo = await berth(['drain', 'n3', '--undo', '--app', file]);
    expect(undo.code, shown(undo)).toBe(0);
    const n2 = b.node('n2');
    const before = (await replicasByNode('site', [n2])).get('n2')?.length ?? 0;
    expect(before, 'site replicas on n2 before the kill').toBeGreaterThan(0);
    process.kill(n2.dockerdPid, 'SIGKILL');
    for (let i = 0; i < 100 && !gone(n2.dockerdPid); i++) await sleep(50);
    expect(gone(n2.dockerdPid), 'n2 dockerd is dead').toBe(true);

    // Before any deploy: the proxies on n1/n3 still list n2's replicas; count what fails.
    const during = [...ask(b.node('n3'), b.node('n1'), 6), ...ask(b.node('n1'), b.node('n3'), 6)];
    timings['requests failed (of 12) while n2 is dead, before the redeploy'] = during.filter((x) => x === undefined).length;

    const r = await deploy();
    timings['deploy rescheduling a dead node'] = r.ms;
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout, shown(r)).toMatch(/^ {2}node n2 is unreachable.*: \d+ replicas? rescheduled onto reachable nodes$/m);
    const moves = [...r.stdout.matchAll(/^ {2}move site #(\d): n2 → (n\d) because n2: unreachable$/gm)];
    expect(moves.length, shown(r)).toBe(before);
    for (const m of moves) expect(['n1', 'n3']).toContain(m[2]);
    expect(r.stdout, 'no published URL on the dead node').not.toContain(`http://${n2.address}:${PORT}/`);

    const healthy = [b.node('n1'), b.node('n3')];
    const site = await replicasByNode('site', healthy);
    expect((site.get('n1')?.length ?? 0) + (site.get('n3')?.length ?? 0), 'site replicas on the healthy nodes').toBe(6);
    // The Service answers on the healthy nodes, only from replicas the healthy nodes run
    // (the orphaned containers of the dead engine keep running, but no proxy points at them).
    const where = await hostnames(healthy);
    for (const target of healthy) {
      const from = target.name === 'n1' ? b.node('n3') : b.node('n1');
      const got = ask(from, target, 8);
      for (const h of got) expect(['n1', 'n3'], `${from.name} → ${target.name}: answer ${h ?? '(none)'}`).toContain(where.get(h ?? ''));
    }
  }, 150_000);

  it('refuses an unplaceable request before touching anything, naming per node why', async () => {
    const healthy = [theBed().node('n1'), theBed().node('n3')];
    const snapshot = async (): Promise<string[]> =>
      (await Promise.all(healthy.map(async (n) => (await containers(n, cluster)).map((c) => `${n.name} ${c.name} ${c.state}`)))).flat().sort();
    const before = await snapshot();
    const stateFile = join(dir, '.berth', `${cluster}.state.json`);
    const serial = (): number => (JSON.parse(readFileSync(stateFile, 'utf8')) as { serial: number }).serial;
    const serialBefore = serial();
    edit((t) => t.replace('const BIG = false', 'const BIG = true'));
    const r = await deploy();
    expect(r.code, shown(r)).toBe(1);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toMatch(/cannot place big replica #0/);
    expect(out).toMatch(/^ +n1: needs 512Mi memory, \d+Mi free$/m);
    expect(out).toMatch(/^ +n3: needs 512Mi memory, \d+Mi free$/m);
    expect(out).toMatch(/^ +n2: unreachable$/m);
    expect(out).toMatch(/nothing was changed/);
    expect(await snapshot()).toEqual(before);
    expect(serial(), 'state was not written').toBe(serialBefore);
    edit((t) => t.replace('const BIG = true', 'const BIG = false'));
  });

  it('n2’s engine comes back: the next deploy removes what it still ran, every replica runs once, the Service answers on n2 again', async () => {
    const b = theBed();
    const { node: n2, ms } = b.restart('n2');
    timings['restart n2 dockerd'] = ms;
    const r = await deploy();
    timings['deploy after n2 is back'] = r.ms;
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout).not.toMatch(/unreachable/);
    // n2's proxy was stopped with its engine: the plan repairs the Service.
    expect(r.stdout, shown(r)).toMatch(/^ {2}! web +Service +repair$/m);
    // What n2 still had from before its engine died is found and removed.
    expect(r.stdout, shown(r)).toMatch(/^ {2}remove site #\d left on n2 \(\w+\): #\d is placed on n[13]$/m);
    const site = [...(await replicasByNode('site', b.nodes)).values()].flat();
    const ordinals = site.map((c) => Number(c.labels['berth.ordinal'])).sort();
    expect(ordinals, site.map((c) => c.name).join(', ')).toEqual([0, 1, 2, 3, 4, 5]);
    // Nothing of the old replicas is left on n2, running or not.
    const stale = (await containers(n2, cluster)).filter((c) => c.labels['berth.component'] === 'replica' && !site.some((x) => x.id === c.id) && c.labels['berth.resource'] === 'site');
    expect(stale.map((c) => `${c.name} ${c.state}`), shown(r)).toEqual([]);
    expect(await answers(b.node('n1'), n2), `n1 → http://${n2.address}:${PORT}/`).toBeDefined();
    const where = await hostnames(b.nodes);
    const live = new Set(site.map((c) => c.id.slice(0, 12)));
    for (const h of ask(b.node('n1'), n2, 8)) expect(live.has(h ?? ''), `answer via n2 from ${h ?? '(none)'} (${where.get(h ?? '') ?? 'unknown'})`).toBe(true);
  }, 150_000);

  it('destroy with n3’s engine down cleans the reachable nodes; once n3 is back, destroy again cleans it too: no berth container, network or volume is left', async () => {
    const b = theBed();
    const clean = async (nodes: readonly Node[]): Promise<void> => {
      for (const n of nodes) {
        const left = await labelled(n, cluster);
        expect({ containers: left.containers, networks: left.networks, volumes: left.volumes }, `left on ${n.name}`).toEqual({ containers: 0, networks: 0, volumes: 0 });
      }
    };
    const n3 = b.node('n3');
    expect((await containers(n3, cluster)).length, 'n3 runs something of the cluster').toBeGreaterThan(0);
    process.kill(n3.dockerdPid, 'SIGKILL');
    for (let i = 0; i < 100 && !gone(n3.dockerdPid); i++) await sleep(50);
    const r = await berth(['destroy', '--app', file, '--yes']);
    timings['destroy with a node down'] = r.ms;
    // The reachable nodes are cleaned, and the one that did not answer is named: exit 1.
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout, shown(r)).toMatch(/removed \d+ containers?/);
    expect(r.stderr, shown(r)).toMatch(/destroy could not reach \S+\/n3 \(.+\); what berth ran there is still there/);
    expect(r.stderr, shown(r)).toMatch(/run berth destroy again once the node answers/);
    await clean([b.node('n1'), b.node('n2')]);

    const { node: back } = b.restart('n3');
    expect((await containers(back, cluster)).length, 'n3 still has what it ran').toBeGreaterThan(0);
    const again = await berth(['destroy', '--app', file, '--yes']);
    expect(again.code, shown(again)).toBe(0);
    await clean(b.nodes);
  }, 150_000);
});

describe.skipIf(unavailable === undefined)('berth on three Docker hosts', () => {
  it(`is skipped: ${unavailable ?? ''}`, () => {
    expect(unavailable).toBeDefined();
  });
});
