import { describe, expect, it } from 'vitest';
import { Config, Deployment, ImageBuild, Job, moved, Secret, Service, Volume, type Cluster } from '@berth/core';
import { checkPlanBasis, plan, stateAfter, type Change, type Plan } from '../../packages/engine/src/plan/index.ts';
import { byAction, deployed, emptyState, graphOf, observedFrom, reader } from './plan-builders.ts';

const change = (p: Plan, id: string): Change => {
  const c = p.changes.find((x) => x.id === id);
  if (!c) throw new Error(`no change for ${id}: ${p.changes.map((x) => x.id).join(', ')}`);
  return c;
};

/** A small shop: two Deployments on one image, a config, a secret, a volume, a service. */
function shop(o: { replicas?: number; log?: string; conf?: string; port?: number; dbImage?: string; volumeDriver?: string } = {}) {
  return (c: Cluster) => {
    const img = new ImageBuild(c, 'api-image', { context: './api' });
    const pw = new Secret(c, 'db-password', { fromEnv: 'DB_PASSWORD' });
    const conf = new Config(c, 'nginx', { data: o.conf ?? 'worker_processes 1;\nevents {}\n' });
    const data = new Volume(c, 'pgdata', o.volumeDriver ? { driver: o.volumeDriver } : {});
    const db = new Deployment(c, 'db', { image: o.dbImage ?? 'postgres:16', env: { PW: pw }, mounts: [{ volume: data, path: '/var/lib/postgresql' }] });
    const dbs = new Service(c, 'db-svc', { target: db, ports: [{ port: o.port ?? 5432 }] });
    new Deployment(c, 'api', { image: img, replicas: o.replicas ?? 2, env: { LOG: o.log ?? 'info', DB: dbs.address } });
    new Deployment(c, 'worker', { image: img, mounts: [{ config: conf, path: '/etc/nginx/nginx.conf' }] });
  };
}

describe('plan: creates, no-ops, deletes', () => {
  it('plans every resource as a create on a fresh cluster, in dependency order', () => {
    const g = graphOf(shop());
    const p = plan({ graph: g, state: undefined });
    expect(p.summary).toMatchObject({ create: 8, update: 0, replace: 0, delete: 0, noop: 0 });
    expect(p.changes.map((c) => c.id)).toEqual(['api-image', 'db-password', 'nginx', 'pgdata', 'db', 'db-svc', 'api', 'worker']);
    expect(change(p, 'api').reasons[0]).toMatch(/^new in the program — plan\.test\.ts:\d+$/);
    expect(p.basis).toMatchObject({ stateSerial: null, stateLineage: null, observedHash: null });
  });

  it('finds nothing to do once deployed', () => {
    const g = graphOf(shop());
    const s = deployed(g, { 'db-password': 'v1' });
    const p = plan({ graph: g, state: s, secretVersions: { 'db-password': 'v1' } });
    expect(p.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, noop: 8 });
    expect(p.basis).toMatchObject({ stateSerial: 4, stateLineage: s.lineage });
  });

  it('deletes what left the program, dependents first', () => {
    const before = graphOf(shop());
    const after = graphOf((c) => void new ImageBuild(c, 'api-image', { context: './api' }));
    const p = plan({ graph: after, state: deployed(before), options: { allowDeleteVolumes: ['pgdata'] } });
    const deletes = p.changes.filter((c) => c.action === 'delete').map((c) => c.id);
    expect(deletes.indexOf('db-svc')).toBeLessThan(deletes.indexOf('db'));
    expect(deletes.indexOf('db')).toBeLessThan(deletes.indexOf('pgdata'));
    expect(deletes.indexOf('db')).toBeLessThan(deletes.indexOf('db-password'));
    expect(deletes.indexOf('worker')).toBeLessThan(deletes.indexOf('nginx'));
    expect(change(p, 'db').dependsOn).toEqual(['db-svc']);
    expect(change(p, 'db').reasons).toEqual(['no longer in the program (was shop/db)']);
    expect(p.changes.at(-1)?.action).toBe('delete');
  });
});

describe('plan: in place vs replace', () => {
  const cases: { name: string; after: Parameters<typeof shop>[0]; expect: Record<string, string>; reason: RegExp; forces?: string[] }[] = [
    { name: 'replicas scale in place', after: { replicas: 5 }, expect: { api: 'update' }, reason: /^replicas changed 2 → 5: scaled in place — plan\.test\.ts:\d+$/ },
    { name: 'an env change rolls the container', after: { log: 'debug' }, expect: { api: 'replace' }, reason: /^env changed: rolling replace/, forces: ['env.LOG'] },
    { name: 'an image name change rolls the container', after: { dbImage: 'postgres:17' }, expect: { db: 'replace' }, reason: /^image changed: rolling replace/, forces: ['image'] },
    { name: 'a Service port reconfigures the proxy in place, and rolls consumers of its address', after: { port: 6543 }, expect: { 'db-svc': 'update', api: 'replace' }, reason: /^ports\[0\]\.port changed 5432 → 6543, ports\[0\]\.targetPort changed 5432 → 6543: proxy reconfigured in place/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = deployed(graphOf(shop()));
      const p = plan({ graph: graphOf(shop(tc.after)), state: s });
      const changed = Object.fromEntries(Object.entries(byAction(p)).filter(([, a]) => a !== 'noop'));
      expect(changed).toEqual(tc.expect);
      const first = p.changes.find((c) => c.action !== 'noop');
      expect(first?.reasons[0]).toMatch(tc.reason);
      if (tc.forces) {
        const target = p.changes.find((c) => c.action === 'replace');
        expect(target?.propertyChanges.filter((x) => x.forcesReplace).map((x) => x.path)).toEqual(tc.forces);
      }
    });
  }

  it('shows before → after per property', () => {
    const p = plan({ graph: graphOf(shop({ log: 'debug' })), state: deployed(graphOf(shop())) });
    expect(change(p, 'api').propertyChanges).toEqual([{ path: 'env.LOG', before: 'info', after: 'debug', forcesReplace: true }]);
    expect(change(p, 'api').specHash).not.toBe(change(p, 'api').priorSpecHash);
  });

  it('the consumer of a Service address explains the chain', () => {
    const p = plan({ graph: graphOf(shop({ port: 6543 })), state: deployed(graphOf(shop())) });
    const api = change(p, 'api');
    expect(api.propertyChanges).toEqual([{ path: 'env.DB', before: 'db-svc:5432', after: 'db-svc:6543', via: 'db-svc.address', forcesReplace: true }]);
    expect(api.reasons[0]).toMatch(/^service address \(db-svc\) changed: rolling replace.* — plan\.test\.ts:\d+$/);
    expect(api.reasons[1]).toMatch(/^because Service db-svc: ports\[0\]\.port changed 5432 → 6543, ports\[0\]\.targetPort changed 5432 → 6543: proxy reconfigured in place — plan\.test\.ts:\d+$/);
  });
});

describe('plan: derived changes', () => {
  it('an ImageBuild content change rolls both Deployments that use it, with the chain', () => {
    const s = deployed(graphOf(shop()));
    const p = plan({ graph: graphOf(shop(), reader({ './api': 'v2' })), state: s });
    expect(Object.fromEntries(Object.entries(byAction(p)).filter(([, a]) => a !== 'noop'))).toEqual({ 'api-image': 'update', api: 'replace', worker: 'replace' });
    expect(change(p, 'api-image').reasons).toEqual([expect.stringMatching(/^files under \.\/api changed: rebuilt — plan\.test\.ts:\d+$/)]);
    for (const id of ['api', 'worker']) {
      const c = change(p, id);
      expect(c.reasons[0]).toMatch(/^image \(api-image\) changed: rolling replace/);
      expect(c.reasons[1]).toMatch(/^because ImageBuild api-image: files under \.\/api changed: rebuilt — plan\.test\.ts:\d+$/);
      const pc = c.propertyChanges[0];
      expect(pc).toMatchObject({ path: 'image', via: 'api-image.image', forcesReplace: true });
      expect(String(pc?.before)).toMatch(/^build:[0-9a-f]{64}$/);
    }
  });

  it('a Config change rolls only the Deployments that mount it', () => {
    const s = deployed(graphOf(shop()));
    const p = plan({ graph: graphOf(shop({ conf: 'worker_processes 4;\nevents {}\n' })), state: s });
    expect(Object.fromEntries(Object.entries(byAction(p)).filter(([, a]) => a !== 'noop'))).toEqual({ nginx: 'update', worker: 'replace' });
    expect(change(p, 'nginx').propertyChanges).toEqual([{ path: 'data', before: 'worker_processes 1;\nevents {}\n', after: 'worker_processes 4;\nevents {}\n' }]);
    expect(change(p, 'worker').propertyChanges[0]).toMatchObject({ path: 'mounts[0].config', via: 'nginx.data', forcesReplace: true });
  });

  it('a secret version change shows only "(sensitive) changed", never a value or version', () => {
    const s = deployed(graphOf(shop()), { 'db-password': 'aaaa1111' });
    const p = plan({ graph: graphOf(shop()), state: s, secretVersions: { 'db-password': 'bbbb2222' } });
    expect(Object.fromEntries(Object.entries(byAction(p)).filter(([, a]) => a !== 'noop'))).toEqual({ 'db-password': 'update', db: 'replace' });
    expect(change(p, 'db-password').propertyChanges).toEqual([{ path: 'value', sensitive: true }]);
    expect(change(p, 'db').propertyChanges).toEqual([{ path: 'env.PW', sensitive: true, via: 'db-password.value', forcesReplace: true }]);
    expect(change(p, 'db').reasons[1]).toMatch(/^because Secret db-password: value changed \(sensitive\)/);
    const json = JSON.stringify(p);
    expect(json).not.toContain('aaaa1111');
    expect(json).not.toContain('bbbb2222');
  });

  it('a secret whose value is not readable now is assumed unchanged', () => {
    const s = deployed(graphOf(shop()), { 'db-password': 'aaaa1111' });
    const p = plan({ graph: graphOf(shop()), state: s });
    expect(p.summary.noop).toBe(8);
  });
});

describe('plan: identity safety', () => {
  it('a declared move shows as moved, not replaced', () => {
    const before = graphOf((c) => void new Deployment(c, 'web', { image: 'nginx:1' }));
    const after = graphOf((c) => {
      const web = new Deployment(c, 'frontend', { image: 'nginx:1' });
      moved(c, { from: 'web', to: web });
    });
    const p = plan({ graph: after, state: deployed(before) });
    expect(p.changes).toHaveLength(1);
    expect(change(p, 'frontend')).toMatchObject({ action: 'move', movedFrom: 'web' });
    expect(p.summary).toMatchObject({ move: 1, delete: 0, create: 0 });
  });

  it('a moved resource that also changed keeps its identity and says both', () => {
    const before = graphOf((c) => void new Deployment(c, 'web', { image: 'nginx:1', replicas: 1 }));
    const after = graphOf((c) => {
      const web = new Deployment(c, 'frontend', { image: 'nginx:1', replicas: 3 });
      moved(c, { from: 'web', to: web });
    });
    const p = plan({ graph: after, state: deployed(before) });
    expect(change(p, 'frontend')).toMatchObject({ action: 'update', movedFrom: 'web' });
    expect(change(p, 'frontend').reasons[0]).toMatch(/^moved from web/);
    // applied, the old id is gone and nothing is left to do
    const next = stateAfter({ graph: after, state: deployed(before) }, p, deployed(before));
    expect(Object.keys(next.resources)).toEqual(['frontend']);
    expect(plan({ graph: after, state: next }).summary.noop).toBe(1);
  });

  it('without moved() a rename is a delete and a create', () => {
    const before = graphOf((c) => void new Deployment(c, 'web', { image: 'nginx:1' }));
    const after = graphOf((c) => void new Deployment(c, 'frontend', { image: 'nginx:1' }));
    expect(byAction(plan({ graph: after, state: deployed(before) }))).toEqual({ frontend: 'create', web: 'delete' });
  });

  it('refuses to delete a volume unless named', () => {
    const before = graphOf(shop());
    const noVolume = graphOf((c) => void new Deployment(c, 'db', { image: 'postgres:16' }));
    const p = plan({ graph: noVolume, state: deployed(before) });
    const pg = change(p, 'pgdata');
    expect(pg).toMatchObject({ action: 'delete', blocked: true });
    expect(p.summary.blocked).toBe(1);
    expect(p.issues).toEqual([
      {
        code: 'plan.protected',
        severity: 'error',
        id: 'pgdata',
        message: 'refusing to delete Volume pgdata: its data would be lost',
        hint: 'put it back in the program (or declare a move with moved()), or pass --delete-volume pgdata to delete it and its data',
      },
    ]);
    const allowed = plan({ graph: noVolume, state: deployed(before), options: { allowDeleteVolumes: ['pgdata'] } });
    expect(change(allowed, 'pgdata').blocked).toBeUndefined();
    expect(allowed.issues).toEqual([]);
  });

  it('refuses to replace a volume unless named', () => {
    const p = plan({ graph: graphOf(shop({ volumeDriver: 'nfs' })), state: deployed(graphOf(shop())) });
    expect(change(p, 'pgdata')).toMatchObject({ action: 'replace', blocked: true });
    expect(p.issues[0]?.message).toBe('refusing to replace Volume pgdata: its data would be lost');
  });
});

describe('plan: drift', () => {
  it('a container removed by hand is a repair', () => {
    const g = graphOf(shop());
    const s = deployed(g);
    const live = observedFrom(s);
    const api = live.resources.api;
    const observed = { ...live, resources: { ...live.resources, api: { ...api!, replicas: [api!.replicas![0]!, { ...api!.replicas![1]!, state: 'missing' as const }] } } };
    const p = plan({ graph: g, state: s, observed });
    expect(change(p, 'api')).toMatchObject({ action: 'repair', drift: [{ what: 'replica 1', expected: 'running', observed: 'missing' }] });
    expect(change(p, 'api').reasons[0]).toBe('the live system drifted from what was deployed (replica 1: expected running, found missing): put back');
    expect(p.summary.repair).toBe(1);
  });

  it('a resource gone from the live system is a repair; kinds the driver did not look at are not', () => {
    const g = graphOf(shop());
    const s = deployed(g);
    const live = observedFrom(s);
    const { pgdata: _gone, ...rest } = live.resources;
    const p = plan({ graph: g, state: s, observed: { ...live, resources: rest } });
    expect(Object.fromEntries(Object.entries(byAction(p)).filter(([, a]) => a !== 'noop'))).toEqual({ pgdata: 'repair' });
    expect(p.basis.observedHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a matching observation finds no drift, and health does not count', () => {
    const g = graphOf(shop());
    const s = deployed(g);
    const live = observedFrom(s);
    expect(plan({ graph: g, state: s, observed: live }).summary.noop).toBe(8);
  });

  it('objects labelled for the cluster but unknown to state are deleted (volumes only warned about)', () => {
    const g = graphOf(shop());
    const s = deployed(g);
    const live = observedFrom(s);
    const observed = { ...live, resources: { ...live.resources, ghost: { kind: 'Deployment' as const, exists: true }, oldvol: { kind: 'Volume' as const, exists: true } } };
    const p = plan({ graph: g, state: s, observed });
    expect(change(p, 'ghost')).toMatchObject({ action: 'delete' });
    expect(p.changes.find((c) => c.id === 'oldvol')).toBeUndefined();
    expect(p.issues).toMatchObject([{ id: 'oldvol', severity: 'warning' }]);
  });
});

describe('plan: targets and jobs', () => {
  it('--target plans only the target and its dependencies', () => {
    const s = deployed(graphOf(shop()));
    const p = plan({ graph: graphOf(shop({ log: 'debug', dbImage: 'postgres:17' })), state: s, options: { targetIds: ['db'] } });
    expect(change(p, 'db').action).toBe('replace');
    expect(change(p, 'api')).toMatchObject({ action: 'noop', reasons: ['not targeted: left as it is'] });
  });

  it('a Job re-runs when its template changes but not when only its timeout does', () => {
    const job = (cmd: string, timeout: string) => graphOf((c) => void new Job(c, 'migrate', { image: 'app:1', command: [cmd], timeout }));
    const s = deployed(job('/migrate', '10m'));
    expect(byAction(plan({ graph: job('/migrate', '20m'), state: s }))).toEqual({ migrate: 'update' });
    const p = plan({ graph: job('/migrate2', '10m'), state: s });
    expect(change(p, 'migrate').reasons[0]).toMatch(/^command changed: the job runs again/);
  });
});

describe('checkPlanBasis', () => {
  it('accepts an unchanged basis and names everything that moved on', () => {
    const g = graphOf(shop());
    const s = deployed(g);
    const observed = observedFrom(s);
    const p = plan({ graph: g, state: s, observed });
    expect(checkPlanBasis(p, { graph: g, state: s, observed })).toEqual([]);
    expect(checkPlanBasis(p, { graph: g, state: { ...s, serial: 5 }, observed }).map((r) => r.what)).toEqual(['state']);
    expect(checkPlanBasis(p, { graph: g, state: { ...s, lineage: 'other' }, observed }).map((r) => r.what)).toEqual(['lineage']);
    expect(checkPlanBasis(p, { graph: graphOf(shop({ replicas: 9 })), state: s, observed }).map((r) => r.what)).toEqual(['graph']);
    const { api: _a, ...rest } = observed.resources;
    expect(checkPlanBasis(p, { graph: g, state: s, observed: { ...observed, resources: rest } }).map((r) => r.what)).toEqual(['observed']);
    expect(checkPlanBasis(p, { graph: g, state: undefined }).map((r) => r.what)).toEqual(['lineage']);
    expect(checkPlanBasis(plan({ graph: g, state: undefined }), { graph: g, state: emptyState() }).map((r) => r.what)).toEqual(['lineage']);
  });
});

describe('plan: secrets the CLI could not read', () => {
  it('warns, and still plans with the recorded version', () => {
    const s = deployed(graphOf(shop()), { 'db-password': 'aaaa1111' });
    const p = plan({ graph: graphOf(shop()), state: s, secretVersions: {} });
    expect(p.summary.noop).toBe(8);
    expect(p.issues).toEqual([
      {
        code: 'plan.secret-unknown',
        severity: 'warning',
        id: 'db-password',
        message: 'the value of Secret db-password is not available (the environment variable DB_PASSWORD); assumed unchanged since the last deploy',
        hint: 'set DB_PASSWORD',
      },
    ]);
  });
  it('a first plan has no secrets hash (no lineage to salt with yet)', () => {
    expect(plan({ graph: graphOf(shop()), state: undefined, secretVersions: { 'db-password': 'x' } }).basis.secretsHash).toBeNull();
  });
});

describe('plan: first deploy', () => {
  it('hashes secret consumers with the versions given, as the executor records them', () => {
    const g = graphOf(shop());
    const versions = { 'db-password': 'salted-with-the-new-lineage' };
    const p = plan({ graph: g, state: undefined, secretVersions: versions });
    const recorded = stateAfter({ graph: g, state: undefined, secretVersions: versions }, p, emptyState());
    for (const c of p.changes) expect(recorded.resources[c.id]?.specHash).toBe(c.specHash);
  });
});

describe('plan: spec hashes', () => {
  it('do not depend on the key order of recorded props (canonical JSON)', () => {
    const g = graphOf(shop());
    const s = deployed(g);
    const reorder = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reorder) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)])) : v;
    const shuffled = { ...s, resources: Object.fromEntries(Object.entries(s.resources).map(([id, r]) => [id, { ...r, props: reorder(r.props) as Record<string, unknown> }])) };
    expect(plan({ graph: g, state: shuffled }).summary.noop).toBe(8);
    const reorderedGraph = { ...g, resources: g.resources.map((r) => ({ ...r, props: reorder(r.props) })) } as typeof g;
    expect(plan({ graph: reorderedGraph, state: s }).summary.noop).toBe(8);
  });
});
