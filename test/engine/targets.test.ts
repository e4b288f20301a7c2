// The target seam: which targets this berth opens, and the Docker target's pure translator.
import { describe, expect, it } from 'vitest';
import { App, BerthError, Cluster, Config, Deployment, Image, Network, Secret, Service, Volume, synthesize, type GraphJson } from '@berth/core';
import { assertTargetAvailable, declaredNodes, dockerTranslator, openTarget } from '../../packages/engine/src/index.ts';

function graphOn(target: ConstructorParameters<typeof Cluster>[2]): GraphJson {
  const app = new App();
  const c = new Cluster(app, 'prod', target);
  new Deployment(c, 'web', { image: 'busybox:1.36' });
  const g = synthesize(app).graphs[0];
  if (!g) throw new Error('no graph');
  return g;
}

describe('targets', () => {
  it('lets docker, swarm and kubernetes through, and names each target’s declared nodes', async () => {
    expect(() => assertTargetAvailable(graphOn({}))).not.toThrow();
    expect(() => assertTargetAvailable(graphOn({ target: { swarm: { manager: 'tcp://10.0.0.1:2375' } } }))).not.toThrow();
    // kubernetes is its own package (@berth/target-kubernetes), opened by the CLI, never by the engine
    expect(() => assertTargetAvailable(graphOn({ target: { kubernetes: { namespace: 'shop' } } }))).not.toThrow();
    await expect(openTarget(graphOn({ target: { kubernetes: { namespace: 'shop' } } }))).rejects.toMatchObject({ code: 'internal' });
    expect(declaredNodes(graphOn({ target: { docker: { hosts: [{ name: 'a', endpoint: 'ssh://a' }, { name: 'b', endpoint: 'ssh://b' }] } } }).target)).toEqual(['a', 'b']);
    expect(declaredNodes(graphOn({ target: { swarm: { manager: 'tcp://m:2375', nodes: [{ name: 'w1', endpoint: 'tcp://w1:2375' }] } } }).target)).toEqual(['w1']);
    expect(declaredNodes(graphOn({ target: { kubernetes: { namespace: 'shop' } } }).target)).toEqual([]);
  });
});

describe('the Docker translator (pure)', () => {
  const app = new App();
  const c = new Cluster(app, 'shop');
  const img = new Image(c, 'img', { name: 'busybox:1.36' });
  const pw = new Secret(c, 'pw', { fromEnv: 'PW' });
  const conf = new Config(c, 'conf', { data: 'listen 80\n' });
  const data = new Volume(c, 'data');
  const net = new Network(c, 'back', { internal: true });
  const db = new Deployment(c, 'db', { image: img, replicas: 2, env: { PASSWORD: pw }, mounts: [{ volume: data, path: '/data' }, { config: conf, path: '/etc/db.conf' }], networks: [net] });
  const svc = new Service(c, 'db-svc', { target: db, ports: [{ port: 5432, publish: 15432 }] });
  new Deployment(c, 'api', { image: 'busybox:1.36', env: { DB: svc.host } });
  const graph = synthesize(app).graphs[0] as GraphJson;
  const objects = dockerTranslator.translate(graph, {
    outputs: new Map([
      ['img', { image: 'sha256:abc' }],
      ['data', { name: 'shop-data' }],
    ]),
    secrets: new Map([['pw', 's3cret']]),
    specHashes: new Map([
      ['db', 'h-db'],
      ['db-svc', 'h-svc'],
    ]),
    release: 'r7',
  });

  it('makes one run spec per replica, with references resolved', () => {
    const o = objects.get('db');
    if (o?.kind !== 'replicas') throw new Error(`db is ${o?.kind}`);
    expect(o.specs.map((s) => [s.ordinal, s.image, s.specHash, s.release])).toEqual([
      [0, 'sha256:abc', 'h-db', 'r7'],
      [1, 'sha256:abc', 'h-db', 'r7'],
    ]);
    expect(o.specs[0]?.env).toEqual({ PASSWORD: 's3cret' });
    expect(o.specs[0]?.mounts).toEqual([{ volumeId: 'data', volumeName: 'shop-data', path: '/data', readOnly: false }]);
    expect(o.specs[0]?.files).toEqual([{ path: '/etc/db.conf', content: 'listen 80\n', mode: 0o444, uid: 0, gid: 0 }]);
    expect(o.specs[0]?.networks).toEqual(['back']);
    const api = objects.get('api');
    expect(api?.kind === 'replicas' && api.specs[0]?.env).toEqual({ DB: 'db-svc' });
  });

  it('makes a proxy spec per Service, a volume and a network; images, secrets and configs are no objects of their own', () => {
    expect(objects.get('db-svc')).toEqual({ kind: 'service', spec: { resourceId: 'db-svc', name: 'db-svc', specHash: 'h-svc', release: 'r7', ports: [{ port: 5432, targetPort: 5432, publish: 15432 }] } });
    expect(objects.get('data')).toEqual({ kind: 'volume', driver: 'local', options: {} });
    expect(objects.get('back')).toEqual({ kind: 'network', internal: true });
    expect([...objects.keys()].sort()).toEqual(['api', 'back', 'data', 'db', 'db-svc']);
  });
});
