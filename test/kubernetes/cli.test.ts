// berth on a real Kubernetes API (kube-apiserver + kube-controller-manager 1.20.2 built by
// scripts/testbed/k8s-build.sh), end to end through the built CLI. No kubelet runs here, so
// pods never become ready: Deployments use replicas: 0 (the controller completes their
// rollout) except where a failed rollout is the point.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../e2e/harness.ts';
import { k8sSkipNote, k8sUnavailable, outside, useTestApi, type TestApi } from './testbed.ts';

const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'));
const skip = k8sUnavailable !== undefined || !built;
const { api } = useTestApi();
const SECRET = 'pa55-w0rd-never-printed';

let n = 0;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function app(body: (ns: string) => string, kubeconfig?: string): { dir: string; ns: string; write: (b: (ns: string) => string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-k8s-app-'));
  dirs.push(dir);
  const ns = `t${process.pid % 1000}-${++n}-${Math.random().toString(36).slice(2, 6)}`;
  const write = (b: (ns: string) => string): void =>
    writeFileSync(
      join(dir, 'cluster.ts'),
      `import { App, Cluster, Config, Deployment, Job, Secret, Service, Volume } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'k', { target: { kubernetes: { namespace: '${ns}'${kubeconfig ? `, kubeconfig: ${JSON.stringify(kubeconfig)}` : ''} } } });
${b(ns)}
export default app;
`,
    );
  write(body);
  return { dir, ns, write };
}
function berth(dir: string, args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KUBECONFIG: api().kubeconfig, DB_PASSWORD: SECRET, NO_COLOR: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
async function owned(a: TestApi, ns: string): Promise<string[]> {
  const o = outside(a);
  const out: string[] = [];
  for (const [v, k] of [['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'PersistentVolumeClaim'], ['apps/v1', 'Deployment'], ['v1', 'Service'], ['batch/v1', 'Job'], ['apps/v1', 'ReplicaSet']] as const) {
    const l = await o.list(v, k, ns, undefined, undefined, undefined, undefined, 'berth.cluster=k');
    out.push(...l.items.map((x) => `${k}/${x.metadata?.name ?? ''}`));
  }
  return out.sort();
}
let nodePort = 30080 + (process.pid % 500);
const web = (): string => `const pw = new Secret(c, 'db-password', { fromEnv: 'DB_PASSWORD' });
const cfg = new Config(c, 'settings', { data: 'a=1' });
const web = new Deployment(c, 'web', { image: 'nginx:1', replicas: 0, ports: [8080], env: { PW: pw.value }, mounts: [{ config: cfg, path: '/etc/app.conf' }] });
new Service(c, 'web-svc', { target: web, name: 'web', ports: [{ port: 80, targetPort: 8080, publish: ${nodePort++} }] });`;

describe.skipIf(skip)(`kubernetes target, CLI on a real API${k8sSkipNote}`, () => {
  it('deploys; diff is then a no-op (exit 0); the secret value is in nothing berth prints or stores', async () => {
    const a = app(web);
    const d0 = berth(a.dir, ['diff']);
    expect(d0.code, d0.err).toBe(2);
    expect(d0.out).toMatch(/create\s+Deployment\/web/);
    const dep = berth(a.dir, ['deploy', '--yes']);
    expect(dep.code, dep.err + dep.out).toBe(0);
    const d1 = berth(a.dir, ['diff']);
    expect(d1.code, d1.out + d1.err).toBe(0);
    expect(d1.out).toContain('server-side apply dry-run): no changes');
    const st = berth(a.dir, ['status']);
    expect(st.code, st.err).toBe(0);
    expect(st.out).toMatch(/web\s+Deployment\s+0\/0/);
    const o = outside(api());
    const d = await o.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: a.ns } });
    expect(d.metadata?.managedFields?.map((m) => m.manager)).toContain('berth');
    expect(d.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'berth', 'berth.cluster': 'k', 'berth.resource': 'web' });
    const svc = await o.read({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: a.ns } });
    expect((svc as { spec?: { type?: string; ports?: Array<{ nodePort?: number }> } }).spec).toMatchObject({ type: 'NodePort' });
    // the value reached the cluster, and nothing of berth's holds it
    const s = (await o.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-password', namespace: a.ns } })) as { data?: Record<string, string> };
    expect(Buffer.from(s.data?.['value'] ?? '', 'base64').toString()).toBe(SECRET);
    const json = berth(a.dir, ['diff', '--json']);
    const exported = berth(a.dir, ['export', 'kubernetes']);
    const synth = berth(a.dir, ['synth']);
    const stored = readdirSync(join(a.dir, '.berth'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name)).map((f) => readFileSync(f, 'utf8')).join('\n');
    const written = readdirSync(join(a.dir, 'berth.out')).map((f) => readFileSync(join(a.dir, 'berth.out', f), 'utf8')).join('\n');
    const b64 = Buffer.from(SECRET).toString('base64');
    for (const text of [d0.out, d0.err, dep.out, dep.err, d1.out, json.out, exported.out, synth.out, stored, written]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(b64);
    }
  });

  it('shows drift by another field manager (named), refuses the conflict, and takes it over with --force-conflicts', async () => {
    const a = app(web);
    expect(berth(a.dir, ['deploy', '--yes']).code).toBe(0);
    // someone scales it with another tool (a merge patch under manager "ops-script")
    const o = outside(api());
    await o.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: a.ns }, spec: { replicas: 3 } } as never, undefined, undefined, 'ops-script', undefined, 'application/merge-patch+json' as never);
    const diff = berth(a.dir, ['diff']);
    expect(diff.code, diff.err).toBe(2);
    expect(diff.out).toMatch(/drift: ops-script changed spec\.replicas/);
    expect(diff.out).toMatch(/conflict: .*ops-script/);
    expect(diff.out).toMatch(/spec\.replicas: 3 → 0/);
    const refused = berth(a.dir, ['deploy', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/error\[target\.conflict\]/);
    expect(refused.err).toContain('ops-script');
    expect(refused.err).toContain('--force-conflicts');
    const d = await o.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: a.ns } });
    expect((d as { spec?: { replicas?: number } }).spec?.replicas).toBe(3); // nothing applied
    const forced = berth(a.dir, ['deploy', '--yes', '--force-conflicts']);
    expect(forced.code, forced.err + forced.out).toBe(0);
    const after = await o.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: a.ns } });
    expect((after as { spec?: { replicas?: number } }).spec?.replicas).toBe(0);
    expect(berth(a.dir, ['diff']).code).toBe(0);
  });

  it('prunes a construct that left the program and nothing else; destroy then leaves nothing berth owns', async () => {
    const a = app(() => `${web()}\nnew Config(c, 'extra', { data: 'x' });`);
    expect(berth(a.dir, ['deploy', '--yes']).code).toBe(0);
    const o = outside(api());
    // an unrelated object with a similar name, made by someone else, and one labelled like ours but not in berth's inventory
    await o.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra-2', namespace: a.ns }, data: { y: '1' } } as never);
    await o.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra-3', namespace: a.ns, labels: { 'berth.cluster': 'k', 'app.kubernetes.io/managed-by': 'berth', 'berth.resource': 'extra' } }, data: { y: '1' } } as never);
    a.write(web);
    const diff = berth(a.dir, ['diff']);
    expect(diff.out).toMatch(/delete\s+ConfigMap\/extra\n\s+left the program/);
    expect(diff.out).toMatch(/ConfigMap\/extra-3\n\s+labelled for this cluster but not in berth's inventory/);
    const dep = berth(a.dir, ['deploy', '--yes']);
    expect(dep.code, dep.err + dep.out).toBe(0);
    const cms = (await o.list('v1', 'ConfigMap', a.ns)).items.map((x) => x.metadata?.name).sort();
    expect(cms).toContain('extra-2');
    expect(cms).toContain('extra-3');
    expect(cms).not.toContain('extra');
    expect(cms).toContain('settings');
    const des = berth(a.dir, ['destroy', '--yes']);
    expect(des.code, des.err).toBe(0);
    expect((await owned(api(), a.ns)).filter((x) => x !== 'ConfigMap/extra-3')).toEqual([]);
    // the namespace holds someone else's object: it stays, and so does that object
    expect((await o.list('v1', 'ConfigMap', a.ns)).items.map((x) => x.metadata?.name)).toContain('extra-2');
  });

  it("replaces an object whose immutable field differs (a Deployment's selector), saying why", async () => {
    const a = app(web);
    const o = outside(api());
    // made before berth by another tool, with its own selector
    await o.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: a.ns } } as never);
    await o.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: a.ns }, spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } } } as never);
    const diff = berth(a.dir, ['diff']);
    expect(diff.out).toMatch(/conflict\s+Deployment\/web\n/);
    expect(diff.out).toMatch(/replace because spec\.selector.* cannot change in place/);
    expect(diff.out).not.toMatch(/Namespace\/.*\n\s+metadata\.labels/); // someone else's namespace is not relabelled
    // taking over another tool's object needs --force-conflicts; then it is replaced
    const refused = berth(a.dir, ['deploy', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('target.conflict');
    const dep = berth(a.dir, ['deploy', '--yes', '--force-conflicts']);
    expect(dep.code, dep.err + dep.out).toBe(0);
    expect(dep.out).toMatch(/web replace Deployment/);
    const d = await o.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: a.ns } });
    expect((d as { spec?: { selector?: unknown } }).spec?.selector).toEqual({ matchLabels: { 'berth.cluster': 'k', 'berth.resource': 'web' } });
  });

  it('a rollout that exceeds its progress deadline fails (the controller says so) and the previous release is re-applied', async () => {
    const a = app(() => `new Deployment(c, 'web', { image: 'nginx:1', replicas: 0, update: { progressDeadline: '2s' } });`);
    expect(berth(a.dir, ['deploy', '--yes']).code).toBe(0);
    a.write(() => `new Deployment(c, 'web', { image: 'nginx:2', replicas: 1, update: { progressDeadline: '2s' } });`);
    const dep = berth(a.dir, ['deploy', '--yes']);
    expect(dep.code).toBe(1);
    expect(dep.out).toMatch(/has timed out progressing/);
    expect(dep.out).toMatch(/rolled back to r1/);
    const d = await outside(api()).read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: a.ns } });
    const spec = (d as { spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ image?: string }> } } } }).spec;
    expect(spec?.replicas).toBe(0);
    expect(spec?.template?.spec?.containers?.[0]?.image).toBe('nginx:1');
  }, 90_000);

  it('bad kubeconfig, unreachable server and 403 are each a clear error with exit 1 and nothing applied', async () => {
    const a = app(web);
    const bad = join(a.dir, 'broken.yaml');
    writeFileSync(bad, 'this: is: not: a kubeconfig: [');
    const r1 = berth(a.dir, ['deploy', '--yes'], { KUBECONFIG: bad });
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/error\[target\.invalid\] cluster\.ts:3/);
    expect(r1.err).toContain(`cannot read the kubeconfig ${bad} (KUBECONFIG)`);
    const r0 = berth(a.dir, ['deploy', '--yes'], { KUBECONFIG: join(a.dir, 'missing') });
    expect(r0.err).toContain('no kubeconfig at');
    const gone = join(a.dir, 'gone.yaml');
    writeFileSync(gone, readFileSync(api().kubeconfig, 'utf8').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1'));
    const r2 = berth(a.dir, ['deploy', '--yes'], { KUBECONFIG: gone });
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/error\[driver\.unreachable\][\s\S]*cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1/);
    const r3 = berth(a.dir, ['deploy', '--yes'], { KUBECONFIG: api().nobodyKubeconfig });
    expect(r3.code).toBe(1);
    expect(r3.err).toMatch(/error\[target\.forbidden\][\s\S]*forbidden \(403\): .*User "nobody" cannot list/);
    expect(r3.err).toContain('RBAC');
    expect(await owned(api(), a.ns)).toEqual([]);
    const ns = await outside(api()).list('v1', 'Namespace');
    expect(ns.items.map((x) => x.metadata?.name)).not.toContain(a.ns);
  });
});
