// The Kubernetes translator, per construct (pure: no API server).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { App, Cluster, Config, Deployment, Image, Job, Network, Secret, Service, SynthFailure, Volume, type GraphJson } from '@berth/core';
import { Testing } from '@berth/core/testing';
import { CLUSTER_OBJECTS, manifestYaml, manifestsOf, translateGraph, validateObjects, type KubeObject } from '@berth/target-kubernetes';

function kube(ns = 'shop'): Cluster {
  return new Cluster(new App(), 'prod', { target: { kubernetes: { namespace: ns } } });
}
const synth = (c: Cluster): GraphJson => Testing.synth(c);
function objectOf(g: GraphJson, id: string, kind: string, ctx = {}): KubeObject {
  const o = translateGraph(g, ctx).get(id)?.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind} for ${id}`);
  return o;
}
const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
function failure(f: () => unknown): SynthFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof SynthFailure) return e;
    throw e;
  }
  throw new Error('expected a SynthFailure');
}

describe('Deployment → apps/v1 Deployment', () => {
  it('carries replicas, rolling update, progress deadline, probes, resources, command and args', () => {
    const c = kube();
    new Deployment(c, 'web', {
      image: 'nginx:1.27',
      replicas: 3,
      command: ['nginx'],
      args: ['-g', 'daemon off;'],
      ports: [8080],
      update: { maxSurge: 2, maxUnavailable: 1, progressDeadline: '90s' },
      health: { http: { path: '/healthz', port: 8080 }, interval: '2s', timeout: '1s', retries: 4, startPeriod: '5s' },
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: 1, memory: '128Mi' } },
      stopGracePeriod: '20s',
    });
    const d = objectOf(synth(c), 'web', 'Deployment');
    expect(d.metadata).toMatchObject({ name: 'web', namespace: 'shop' });
    const spec = d['spec'] as Record<string, unknown>;
    expect(spec['replicas']).toBe(3);
    expect(spec['strategy']).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } });
    expect(spec['progressDeadlineSeconds']).toBe(90);
    expect(spec['selector']).toEqual({ matchLabels: { 'berth.cluster': 'prod', 'berth.resource': 'web' } });
    const ctr = (at(spec, 'template.spec.containers') as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(ctr).toMatchObject({ image: 'nginx:1.27', command: ['nginx'], args: ['-g', 'daemon off;'], ports: [{ containerPort: 8080, protocol: 'TCP' }] });
    expect(ctr['resources']).toEqual({ requests: { cpu: '250m', memory: String(64 * 2 ** 20) }, limits: { cpu: '1000m', memory: String(128 * 2 ** 20) } });
    expect(ctr['readinessProbe']).toEqual({ httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 4 });
    expect(ctr['livenessProbe']).toMatchObject({ initialDelaySeconds: 5 });
    expect(at(spec, 'template.spec.terminationGracePeriodSeconds')).toBe(20);
    expect(at(spec, 'template.metadata.labels')).toEqual({ 'app.kubernetes.io/managed-by': 'berth', 'berth.cluster': 'prod', 'berth.resource': 'web' });
  });

  it('resolves references: a Service to its DNS name, a Secret through secretKeyRef, never its value', () => {
    const c = kube('shop');
    const db = new Deployment(c, 'db', { image: 'postgres:16', ports: [5432] });
    const dbSvc = new Service(c, 'db-svc', { target: db, name: 'db', ports: [{ port: 5432 }] });
    const pw = new Secret(c, 'db-password', { fromEnv: 'DB_PASSWORD' });
    new Deployment(c, 'api', {
      image: new Image(c, 'api-image', { name: 'registry.example/api:1' }),
      env: { DB_HOST: dbSvc.host, DB_ADDR: dbSvc.address, DB_PASSWORD: pw.value, DB_URL: `postgres://app:${pw.value}@${dbSvc.host}/app` },
    });
    const g = synth(c);
    const d = objectOf(g, 'api', 'Deployment', { secrets: new Map([['db-password', 'hunter2']]) });
    const ctr = (at(d, 'spec.template.spec.containers') as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(ctr['image']).toBe('registry.example/api:1');
    expect(ctr['env']).toEqual([
      { name: 'BERTH_SECRET_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-password', key: 'value' } } },
      { name: 'DB_ADDR', value: 'db.shop.svc:5432' },
      { name: 'DB_HOST', value: 'db.shop.svc' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-password', key: 'value' } } },
      { name: 'DB_URL', value: 'postgres://app:$(BERTH_SECRET_DB_PASSWORD)@db.shop.svc/app' },
    ]);
    expect(JSON.stringify(d)).not.toContain('hunter2');
    // the secret's version is on the pod template: a changed secret rolls the consumer
    const rolled = objectOf(g, 'api', 'Deployment', { secretVersions: { 'db-password': 'v2' } });
    expect(at(rolled, 'spec.template.metadata.annotations')).toEqual({ 'checksum.berth/db-password': 'v2' });
  });

  it('mounts volumes as PVCs and configs and secrets as files; a config change changes the checksum annotation', () => {
    const make = (data: string) => {
      const c = kube();
      const v = new Volume(c, 'data');
      const cfg = new Config(c, 'settings', { data });
      const s = new Secret(c, 'key', { fromFile: './key' });
      new Deployment(c, 'app', { image: 'busybox:1', mounts: [{ volume: v, path: '/data' }, { config: cfg, path: '/etc/app/app.conf' }, { secret: s, path: '/run/key' }] });
      return objectOf(synth(c), 'app', 'Deployment');
    };
    const a = make('a=1');
    expect(at(a, 'spec.template.spec.volumes')).toEqual([
      { name: 'm0', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'm1', configMap: { name: 'settings', items: [{ key: 'data', path: 'app.conf' }] } },
      { name: 'm2', secret: { secretName: 'key', defaultMode: 0o400, items: [{ key: 'value', path: 'key' }] } },
    ]);
    const mounts = (at(a, 'spec.template.spec.containers') as Array<Record<string, unknown>>)[0]?.['volumeMounts'];
    expect(mounts).toEqual([
      { name: 'm0', mountPath: '/data' },
      { name: 'm1', mountPath: '/etc/app/app.conf', subPath: 'app.conf', readOnly: true },
      { name: 'm2', mountPath: '/run/key', subPath: 'key', readOnly: true },
    ]);
    const ann = (o: KubeObject) => (at(o, 'spec.template.metadata.annotations') as Record<string, string>)['checksum.berth/settings'];
    expect(ann(a)).toMatch(/^[0-9a-f]{16,}/);
    expect(ann(make('a=2'))).not.toBe(ann(a));
  });

  it('maps placement to nodeSelector, anti-affinity, topology spread and a PriorityClass', () => {
    const c = kube();
    new Deployment(c, 'web', { image: 'nginx', replicas: 4, placement: { constraints: { disk: 'ssd' }, spreadBy: { label: 'topology.kubernetes.io/zone', maxSkew: 1 }, maxPerNode: 1, priority: 100 } });
    const g = synth(c);
    const pod = at(objectOf(g, 'web', 'Deployment'), 'spec.template.spec') as Record<string, unknown>;
    const sel = { matchLabels: { 'berth.cluster': 'prod', 'berth.resource': 'web' } };
    expect(pod['nodeSelector']).toEqual({ disk: 'ssd' });
    expect(pod['affinity']).toEqual({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel, topologyKey: 'kubernetes.io/hostname' }] } });
    expect(pod['topologySpreadConstraints']).toEqual([{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel }]);
    expect(pod['priorityClassName']).toBe('berth-prod-p100');
    const pc = translateGraph(g).get(CLUSTER_OBJECTS)?.find((o) => o.kind === 'PriorityClass');
    expect(pc).toMatchObject({ apiVersion: 'scheduling.k8s.io/v1', metadata: { name: 'berth-prod-p100' }, value: 100 });
  });

  it('refuses what Kubernetes cannot express, located at the construct', () => {
    const c = kube();
    new Deployment(c, 'once', { image: 'busybox', restart: 'no' });
    new Deployment(c, 'many', { image: 'busybox', placement: { maxPerNode: 2 } });
    const f = failure(() => translateGraph(synth(c)));
    expect(f.diagnostics.map((d) => `${d.constructPath} ${d.property}: ${d.code}`)).toEqual(['prod/once restart: target.invalid', 'prod/many placement.maxPerNode: target.invalid']);
    expect(f.diagnostics[0]?.location?.file).toMatch(/translate\.test\.ts$/);
    expect(f.diagnostics[0]?.hint).toContain('Job');
  });
});

describe('Service → v1 Service', () => {
  it('is a ClusterIP Service with protocol TCP on every port, selecting its Deployment', () => {
    const c = kube();
    const web = new Deployment(c, 'web', { image: 'nginx', ports: [8080] });
    new Service(c, 'web-svc', { target: web, name: 'web', ports: [{ port: 80, targetPort: 8080 }] });
    const s = objectOf(synth(c), 'web-svc', 'Service');
    expect(s.metadata.name).toBe('web');
    expect(s['spec']).toEqual({ type: 'ClusterIP', selector: { 'berth.cluster': 'prod', 'berth.resource': 'web' }, ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 8080 }] });
  });

  it('publish is a NodePort, the choice explained on the object; outside the NodePort range it is refused', () => {
    const c = kube();
    const web = new Deployment(c, 'web', { image: 'nginx', ports: [8080] });
    new Service(c, 'web-svc', { target: web, ports: [{ port: 80, targetPort: 8080, publish: 30080 }] });
    const s = objectOf(synth(c), 'web-svc', 'Service');
    expect(at(s, 'spec.type')).toBe('NodePort');
    expect(at(s, 'spec.ports')).toEqual([{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }]);
    expect(s.metadata.annotations?.['berth.publish']).toMatch(/NodePort: 30080→80 on every node \(a LoadBalancer needs a cloud controller/);
    const c2 = kube();
    new Service(c2, 'web-svc', { target: new Deployment(c2, 'web', { image: 'nginx', ports: [8080] }), ports: [{ port: 80, targetPort: 8080, publish: 8080 }] });
    const f = failure(() => translateGraph(synth(c2)));
    expect(f.diagnostics[0]).toMatchObject({ constructPath: 'prod/web-svc', property: 'ports[0].publish' });
    expect(f.diagnostics[0]?.message).toContain('outside the NodePort range 30000-32767');
  });
});

describe('Volume, Secret, Config, Job, Network', () => {
  it('Volume → PVC with the size option', () => {
    const c = kube();
    new Volume(c, 'orders', { options: { size: '5Gi' } });
    expect(objectOf(synth(c), 'orders', 'PersistentVolumeClaim')['spec']).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } });
  });

  it('Secret: no data at synth; base64 data only when the value is passed at deploy time', () => {
    const c = kube();
    new Secret(c, 'token', { fromEnv: 'TOKEN' });
    const g = synth(c);
    expect(objectOf(g, 'token', 'Secret')['data']).toBeUndefined();
    expect(objectOf(g, 'token', 'Secret', { secrets: new Map([['token', 's3']]) })['data']).toEqual({ value: Buffer.from('s3').toString('base64') });
    expect(manifestYaml(g)).not.toMatch(/^data:/m);
  });

  it('Config → ConfigMap carrying the content and its checksum', () => {
    const c = kube();
    new Config(c, 'settings', { data: 'x=1\n' });
    const cm = objectOf(synth(c), 'settings', 'ConfigMap');
    expect(cm['data']).toEqual({ data: 'x=1\n' });
    expect(cm.metadata.annotations?.['berth.sha256']).toMatch(/[0-9a-f]{64}/);
  });

  it('Job → batch/v1 Job named by its spec: a change runs a new Job', () => {
    const make = (cmd: string) => {
      const c = kube();
      new Job(c, 'migrate', { image: 'busybox', command: ['sh', '-c', cmd], backoffLimit: 2, timeout: '2m' });
      return objectOf(synth(c), 'migrate', 'Job');
    };
    const a = make('echo 1');
    expect(a.metadata.name).toMatch(/^migrate-[0-9a-f]{10}$/);
    expect(a['spec']).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 120, template: { spec: { restartPolicy: 'Never' } } });
    expect(make('echo 1').metadata.name).toBe(a.metadata.name);
    expect(make('echo 2').metadata.name).not.toBe(a.metadata.name);
  });

  it('an internal Network → NetworkPolicy admitting its members only; members carry its label', () => {
    const c = kube();
    const n = new Network(c, 'backend', { internal: true });
    new Deployment(c, 'db', { image: 'postgres', networks: [n] });
    const g = synth(c);
    const np = objectOf(g, 'backend', 'NetworkPolicy');
    const member = { 'berth.network/backend': 'member' };
    expect(np['spec']).toMatchObject({ podSelector: { matchLabels: member }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: member } }] }] });
    expect(at(objectOf(g, 'db', 'Deployment'), 'spec.template.metadata.labels')).toMatchObject(member);
  });
});

describe('every object', () => {
  it('carries the ownership labels, validates against the schemas and is written as the same bytes every time', () => {
    const c = kube();
    const web = new Deployment(c, 'web', { image: 'nginx', ports: [80], placement: { priority: 5 } });
    new Service(c, 'web-svc', { target: web, ports: [{ port: 80 }] });
    new Volume(c, 'v');
    new Config(c, 'cfg', { data: 'a' });
    new Secret(c, 's', { fromEnv: 'S' });
    const g = synth(c);
    const { objects } = manifestsOf(g);
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'PriorityClass', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Deployment', 'Service']);
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'berth', 'berth.cluster': 'prod' });
    expect(manifestYaml(g)).toBe(manifestYaml(synth(c)));
  });

  it('a schema violation is a located diagnostic naming the field', () => {
    const c = kube();
    new Deployment(c, 'web', { image: 'nginx' });
    const g = synth(c);
    const objs = new Map(translateGraph(g));
    const d = objs.get('web')?.[0] as KubeObject;
    const bad = { ...d, spec: { ...(d['spec'] as object), replicas: 'three' } };
    objs.set('web', [bad]);
    const diags = validateObjects(g, objs);
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ code: 'target.invalid', constructPath: 'prod/web', kind: 'Deployment', property: 'spec.replicas' });
    expect(diags[0]?.message).toBe("Deployment web: spec.replicas must be integer — Kubernetes' schema for apps/v1 Deployment");
    expect(diags[0]?.location?.file).toMatch(/translate\.test\.ts$/);
  });

  it('property: any replicas and ports translate to schema-valid objects with TCP Service ports', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 4 }), (replicas, ports) => {
        const c = kube();
        const d = new Deployment(c, 'web', { image: 'nginx', replicas, ports });
        new Service(c, 'svc', { target: d, ports: ports.map((p) => ({ port: p })) });
        const { objects } = manifestsOf(synth(c));
        const svc = objects.find((o) => o.kind === 'Service');
        expect((at(svc, 'spec.ports') as Array<{ protocol: string }>).every((p) => p.protocol === 'TCP')).toBe(true);
        expect(at(objects.find((o) => o.kind === 'Deployment'), 'spec.replicas')).toBe(replicas);
      }),
      { numRuns: 30 },
    );
  });
});
