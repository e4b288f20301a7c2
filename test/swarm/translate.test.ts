// The Swarm target's pure half: graph → Swarm service / secret / config / network specs, the
// notes diff prints, and the spec view that finds hand edits. No engine.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { App, BerthError, Cluster, Config, Deployment, Image, Job, Network, Secret, Service, Volume, synthesize, type GraphJson } from '@berth/core';
import { resolveSpecs } from '../../packages/engine/src/plan/spec-hash.ts';
import { handDrift } from '../../packages/engine/src/targets/swarm/target.ts';
import { swarmNotes, swarmTranslator, updateConfigOf, versionedName, type SwarmObject, type SwarmServiceSpec } from '../../packages/engine/src/targets/swarm/translate.ts';
import { specView, viewDrift, viewHash } from '../../packages/engine/src/targets/swarm/view.ts';

const MANAGER = { target: { swarm: { manager: 'unix:///run/m.sock' } } };

function build(f: (c: Cluster) => void): GraphJson {
  const app = new App();
  f(new Cluster(app, 'shop', MANAGER));
  const g = synthesize(app).graphs[0];
  if (!g) throw new Error('no graph');
  return g;
}

function translate(g: GraphJson, secrets: Record<string, string> = {}, outputs: Record<string, Record<string, unknown>> = {}): ReadonlyMap<string, SwarmObject> {
  const versions = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, `v-${v}`]));
  const specs = resolveSpecs(g, versions, undefined);
  return swarmTranslator.translate(g, {
    outputs: new Map(Object.entries(outputs)),
    secrets: new Map(Object.entries(secrets)),
    specHashes: new Map([...specs].map(([id, s]) => [id, s.specHash])),
    replicaHashes: new Map([...specs].map(([id, s]) => [id, s.replicaHash])),
    release: 'r3',
    proxyImage: 'sha256:proxy',
  });
}

function service(objects: ReadonlyMap<string, SwarmObject>, id: string): SwarmServiceSpec {
  const o = objects.get(id);
  if (o?.kind !== 'service') throw new Error(`${id} is ${o?.kind ?? 'missing'}`);
  return o.spec;
}

describe('Deployment → replicated service', () => {
  const g = build((c) => {
    const img = new Image(c, 'img', { name: 'busybox:1.36' });
    const web = new Deployment(c, 'web', {
      image: img,
      replicas: 3,
      command: ['httpd', '-f'],
      args: ['-p', '8080'],
      ports: [8080],
      health: { http: { path: '/health', port: 8080 }, interval: '2s', timeout: '1s', retries: 4 },
      resources: { requests: { cpu: '100m', memory: '16Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
      restart: 'on-failure',
      placement: { constraints: { zone: 'eu' }, spreadBy: { label: 'rack' }, maxPerNode: 2 },
      update: { maxSurge: 1, maxUnavailable: 0 },
    });
    const svc = new Service(c, 'web-svc', { target: web, name: 'web', ports: [{ port: 80, targetPort: 8080 }] });
    new Deployment(c, 'client', { image: img, env: { URL: `http://${svc.host}:${svc.port}/`, MODE: 'x' }, update: { maxSurge: 0, maxUnavailable: 1 } });
  });
  const objects = translate(g, {}, { img: { image: 'sha256:img' } });
  const web = service(objects, 'web');

  it('runs the image by id, with command, args, replicas, dnsrr and the cluster network', () => {
    expect(web.Name).toBe('shop-web');
    expect(web.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(web.TaskTemplate.ContainerSpec).toMatchObject({ Image: 'sha256:img', Command: ['httpd', '-f'], Args: ['-p', '8080'], Init: true });
    expect(web.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(web.TaskTemplate.Networks).toEqual([{ Target: 'shop-net' }]);
    expect(web.Labels).toMatchObject({ 'berth.cluster': 'shop', 'berth.resource': 'web', 'berth.component': 'deployment', 'berth.release': 'r3' });
    expect(web.Labels['berth.spec']).toMatch(/\S/);
  });

  it('turns health into a Docker healthcheck in nanoseconds', () => {
    expect(web.TaskTemplate.ContainerSpec.Healthcheck).toEqual({
      Test: ['CMD-SHELL', "wget -q -O /dev/null 'http://127.0.0.1:8080/health' || curl -fsS -o /dev/null 'http://127.0.0.1:8080/health' || exit 1"],
      Interval: 2e9,
      Timeout: 1e9,
      Retries: 4,
      StartPeriod: 0,
    });
  });

  it('turns requests into reservations and limits into limits, and the restart policy into a condition', () => {
    expect(web.TaskTemplate.Resources).toEqual({ Limits: { NanoCPUs: 5e8, MemoryBytes: 64 * 2 ** 20 }, Reservations: { NanoCPUs: 1e8, MemoryBytes: 16 * 2 ** 20 } });
    expect(web.TaskTemplate.RestartPolicy.Condition).toBe('on-failure');
  });

  it('places by node labels, spreads by a label, and caps replicas per node', () => {
    expect(web.TaskTemplate.Placement).toEqual({ Constraints: ['node.labels.zone==eu'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.rack' } }], MaxReplicas: 2 });
  });

  it('rolls start-first when surge is allowed and stop-first when not; a failure rolls back', () => {
    expect(web.UpdateConfig).toEqual({ Parallelism: 1, Delay: 0, FailureAction: 'rollback', Monitor: 3e9, MaxFailureRatio: 0, Order: 'start-first' });
    expect(web.RollbackConfig).toMatchObject({ Order: 'start-first', FailureAction: 'pause' });
    expect(service(objects, 'client').UpdateConfig).toMatchObject({ Order: 'stop-first', Parallelism: 1, FailureAction: 'rollback' });
  });

  it('resolves a Service reference in env to the Service’s DNS name, env sorted by name', () => {
    expect(service(objects, 'client').TaskTemplate.ContainerSpec.Env).toEqual(['MODE=x', 'URL=http://web:80/']);
  });

  it('update config: start-first exactly when maxSurge > 0, never parallelism 0, always rollback on failure', () => {
    fc.assert(
      fc.property(fc.nat(10), fc.nat(10), (maxSurge, maxUnavailable) => {
        const u = updateConfigOf({ maxSurge, maxUnavailable });
        expect(u.Order).toBe(maxSurge > 0 ? 'start-first' : 'stop-first');
        expect(u.Parallelism).toBeGreaterThanOrEqual(1);
        expect(u.Parallelism).toBe(Math.max(1, maxSurge > 0 ? maxSurge : maxUnavailable));
        expect(u.FailureAction).toBe('rollback');
      }),
    );
  });
});

describe('Service → global proxy service', () => {
  const g = build((c) => {
    const web = new Deployment(c, 'web', { image: 'busybox:1.36', ports: [8080, 9090] });
    new Service(c, 'web-svc', { target: web, name: 'web', ports: [{ port: 80, targetPort: 8080, publish: 8081 }, { port: 9090 }] });
  });
  const proxy = service(translate(g), 'web-svc');

  it('runs on every node with the Service’s name as its alias on the cluster network', () => {
    expect(proxy.Mode).toEqual({ Global: {} });
    expect(proxy.TaskTemplate.Networks).toEqual([{ Target: 'shop-net', Aliases: ['web'] }]);
    expect(proxy.TaskTemplate.ContainerSpec.Image).toBe('sha256:proxy');
  });

  it('forwards each port to the Deployment’s tasks by DNS (tasks.<service>), at the target port', () => {
    const env = proxy.TaskTemplate.ContainerSpec.Env.find((e) => e.startsWith('BERTH_PROXY_CONFIG='));
    expect(JSON.parse((env ?? '').slice('BERTH_PROXY_CONFIG='.length))).toEqual({
      listeners: [
        { port: 80, backends: ['tasks.shop-web:8080'] },
        { port: 9090, backends: ['tasks.shop-web:9090'] },
      ],
    });
  });

  it('publishes only published ports, host-mode (no ingress mesh), and updates stop-first (a host port is one task’s)', () => {
    expect(proxy.EndpointSpec).toEqual({ Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8081, PublishMode: 'host' }] });
    expect(proxy.UpdateConfig?.Order).toBe('stop-first');
  });
});

describe('Secret and Config → versioned Swarm objects', () => {
  const program = (c: Cluster): void => {
    const pw = new Secret(c, 'pw', { fromEnv: 'PW' });
    const conf = new Config(c, 'conf', { data: 'listen 80\n' });
    new Deployment(c, 'db', { image: 'busybox:1.36', mounts: [{ secret: pw, path: '/run/secrets/pw' }, { config: conf, path: '/etc/db.conf' }] });
  };
  const g = build(program);

  it('names a secret by its version, and a new value is a new name the consumer mounts', () => {
    const a = translate(g, { pw: 'one' });
    const b = translate(g, { pw: 'two' });
    const sa = a.get('pw');
    const sb = b.get('pw');
    if (sa?.kind !== 'secret' || sb?.kind !== 'secret') throw new Error('not secrets');
    expect(sa.name).toMatch(/^shop-pw-[0-9a-f]{12}$/);
    expect(sb.name).not.toBe(sa.name);
    expect(sa.data).toBe('one');
    expect(service(a, 'db').TaskTemplate.ContainerSpec.Secrets).toEqual([{ File: { Name: '/run/secrets/pw', UID: '0', GID: '0', Mode: 0o400 }, SecretName: sa.name }]);
    expect(service(b, 'db').TaskTemplate.ContainerSpec.Secrets[0]?.SecretName).toBe(sb.name);
    expect(service(b, 'db').Labels['berth.spec']).not.toBe(service(a, 'db').Labels['berth.spec']);
  });

  it('never puts a secret value in a service spec', () => {
    const spec = JSON.stringify(service(translate(g, { pw: 'hunter2-value' }), 'db'));
    expect(spec).not.toContain('hunter2-value');
  });

  it('mounts a config read-only by its versioned name, with the id once it exists', () => {
    const first = translate(g, { pw: 'one' });
    const conf = first.get('conf');
    if (conf?.kind !== 'config') throw new Error('not a config');
    expect(conf.data).toBe('listen 80\n');
    const withId = translate(g, { pw: 'one' }, { conf: { swarmName: conf.name, swarmId: 'cfg123' } });
    expect(service(withId, 'db').TaskTemplate.ContainerSpec.Configs).toEqual([{ File: { Name: '/etc/db.conf', UID: '0', GID: '0', Mode: 0o444 }, ConfigName: conf.name, ConfigID: 'cfg123' }]);
    // An id recorded for another version is not used.
    expect(service(translate(g, { pw: 'one' }, { conf: { swarmName: 'shop-conf-old', swarmId: 'x' } }), 'db').TaskTemplate.ContainerSpec.Configs[0]?.ConfigID).toBeUndefined();
  });

  it('versioned names are stable per hash and distinct across hashes', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), fc.stringMatching(/^[0-9a-f]{64}$/), (a, b) => {
        expect(versionedName('c', 'x', `sha256:${a}`)).toBe(versionedName('c', 'x', `sha256:${a}`));
        if (a.slice(0, 12) !== b.slice(0, 12)) expect(versionedName('c', 'x', `sha256:${a}`)).not.toBe(versionedName('c', 'x', `sha256:${b}`));
      }),
    );
  });

  it('refuses a secret in an env var, at the property, with the fix', () => {
    const bad = build((c) => {
      const pw = new Secret(c, 'pw', { fromEnv: 'PW' });
      new Deployment(c, 'db', { image: 'busybox:1.36', env: { PASSWORD: pw } });
    });
    let err: unknown;
    try {
      translate(bad, { pw: 'x' });
    } catch (e) {
      err = e;
    }
    expect(BerthError.is(err)).toBe(true);
    expect((err as BerthError).message).toMatch(/env\.PASSWORD of shop\/db uses the value of secret shop\/pw/);
    expect((err as BerthError).property).toBe('env.PASSWORD');
    expect((err as BerthError).hint).toMatch(/mount the secret as a file/);
    expect((err as BerthError).location?.file).toMatch(/translate\.test\.ts$/);
  });
});

describe('Job, Network, Volume, priority', () => {
  const g = build((c) => {
    const data = new Volume(c, 'data');
    const back = new Network(c, 'back', { internal: true });
    const migrate = new Job(c, 'migrate', { image: 'busybox:1.36', command: ['true'], mounts: [{ volume: data, path: '/data' }], backoffLimit: 2 });
    new Deployment(c, 'db', { image: 'busybox:1.36', mounts: [{ volume: data, path: '/data' }], networks: [back], dependsOn: [migrate], placement: { priority: 10 } });
  });

  it('a Job is a replicated-job of one completion, retried up to backoffLimit', () => {
    const job = service(translate(g), 'migrate');
    expect(job.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(job.TaskTemplate.RestartPolicy).toMatchObject({ Condition: 'on-failure', MaxAttempts: 2 });
    expect(job.UpdateConfig).toBeUndefined();
  });

  it('a Network is an internal overlay the Deployment joins besides the cluster network', () => {
    const objects = translate(g);
    expect(objects.get('back')).toMatchObject({ kind: 'network', name: 'shop-back', internal: true });
    expect(service(objects, 'db').TaskTemplate.Networks).toEqual([{ Target: 'shop-net' }, { Target: 'shop-back' }]);
  });

  it('a Volume pins every user to the node it lives on', () => {
    const objects = translate(g, {}, { data: { name: 'shop-data', node: 'n2' } });
    expect(objects.get('data')).toMatchObject({ kind: 'volume', name: 'shop-data', node: 'n2' });
    for (const id of ['db', 'migrate']) {
      const s = service(objects, id);
      expect(s.TaskTemplate.Placement.Constraints).toEqual(['node.hostname==n2']);
      expect(s.TaskTemplate.ContainerSpec.Mounts).toEqual([
        { Type: 'volume', Source: 'shop-data', Target: '/data', ReadOnly: false, VolumeOptions: { Labels: { 'berth.cluster': 'shop', 'berth.resource': 'data', 'berth.component': 'volume' }, DriverConfig: { Name: 'local', Options: {} } } },
      ]);
    }
  });

  it('notes say what Swarm does differently: one node for a volume’s users, no priorities', () => {
    const notes = swarmNotes(g);
    expect(notes).toContain('shop/db: placement.priority 10 is ignored: Swarm has no priorities or preemption (translate.test.ts:' + String(g.resources.find((r) => r.id === 'db')?.source?.line) + ')');
    expect(notes.filter((n) => /runs on one node only: it mounts volume shop\/data/.test(n)).map((n) => n.split(':')[0])).toEqual(['shop/db', 'shop/migrate']);
  });
});

describe('hand edits: the spec view', () => {
  const g = build((c) => {
    new Deployment(c, 'web', { image: 'busybox:1.36', env: { LEVEL: 'info' }, replicas: 2 });
  });
  const sent = service(translate(g), 'web');
  const labelled = { ...sent, Labels: { ...sent.Labels, 'berth.sent': viewHash(specView(sent)) } };

  it('finds nothing when the spec is what berth sent, with network ids mapped back to names', () => {
    const live = { ...labelled, TaskTemplate: { ...labelled.TaskTemplate, Networks: [{ Target: 'id-123' }] } };
    expect(handDrift({ Spec: live }, (id) => (id === 'id-123' ? 'shop-net' : id))).toEqual([]);
  });

  it('names each property someone changed with docker service update', () => {
    const live: SwarmServiceSpec = {
      ...labelled,
      TaskTemplate: { ...labelled.TaskTemplate, ContainerSpec: { ...labelled.TaskTemplate.ContainerSpec, Env: ['EXTRA=1', 'LEVEL=debug'] } },
      Mode: { Replicated: { Replicas: 5 } },
    };
    expect(handDrift({ Spec: live, PreviousSpec: labelled }, (x) => x)).toEqual([
      { what: 'service env.EXTRA (changed outside berth)', expected: '(none)', observed: '1' },
      { what: 'service env.LEVEL (changed outside berth)', expected: 'info', observed: 'debug' },
      { what: 'service replicas (changed outside berth)', expected: '2', observed: '5' },
    ]);
    // Without berth's spec as the previous one (two edits), only the fact is known.
    expect(handDrift({ Spec: live }, (x) => x)).toEqual([{ what: 'service spec', expected: 'as berth sent it', observed: 'changed outside berth' }]);
  });

  it('viewDrift is empty exactly for equal views', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z.]{1,8}$/), fc.string()), fc.dictionary(fc.stringMatching(/^[a-z.]{1,8}$/), fc.string()), (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(viewDrift(a, b).length === 0).toBe(same);
        expect(viewHash(a) === viewHash(b)).toBe(same);
      }),
    );
  });
});
