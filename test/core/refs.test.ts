import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { App, Cluster, Deployment, ImageBuild, Network, Service, SynthFailure, Volume, isRef, makeRef, synthesize } from '@berth/core';
import { Testing } from '@berth/core/testing';

function failure(app: App): SynthFailure {
  try {
    synthesize(app);
  } catch (e) {
    if (e instanceof SynthFailure) return e;
    throw e;
  }
  throw new Error('expected synth to fail');
}

describe('references and tokens', () => {
  it('a reference interpolated into a template string becomes $concat, and an edge', () => {
    const c = Testing.cluster('shop');
    const db = new Deployment(c, 'db', { image: 'postgres:16' });
    const dbs = new Service(c, 'db-svc', { target: db, ports: [{ port: 5432 }] });
    new Deployment(c, 'api', { image: 'api:1', env: { DB_URL: `postgres://${dbs.host}:${dbs.port}/shop` } });
    const api = Testing.resource(Testing.synth(c), 'api');
    expect(api.props).toMatchObject({
      env: {
        DB_URL: {
          $concat: ['postgres://', { $ref: 'db-svc', attr: 'host' }, ':', { $ref: 'db-svc', attr: 'port' }, '/shop'],
        },
      },
    });
    expect(api.dependsOn).toEqual(['db-svc']);
  });

  it('a token at either end of the string leaves no empty literal parts', () => {
    const c = Testing.cluster();
    const db = new Deployment(c, 'db', { image: 'postgres:16' });
    const dbs = new Service(c, 'dbs', { target: db, ports: [{ port: 5432 }] });
    new Deployment(c, 'api', { image: 'api:1', env: { A: `${dbs.host}:5432`, B: `${dbs.host}${dbs.port}` } });
    const env = (Testing.resource(Testing.synth(c), 'api').props as { env: Record<string, unknown> }).env;
    expect(env['A']).toEqual({ $concat: [{ $ref: 'dbs', attr: 'host' }, ':5432'] });
    expect(env['B']).toEqual({ $concat: [{ $ref: 'dbs', attr: 'host' }, { $ref: 'dbs', attr: 'port' }] });
  });

  it('a bare reference is a $ref, and a construct passed whole stands for its default attribute', () => {
    const c = Testing.cluster();
    const build = new ImageBuild(c, 'web-image', { context: './web' });
    const web = new Deployment(c, 'web', { image: build });
    const svc = new Service(c, 'web-svc', { target: web, ports: [{ port: 80 }] });
    new Deployment(c, 'client', { image: 'busybox:1.36', env: { WEB: svc.host } });
    const g = Testing.synth(c);
    expect(Testing.resource(g, 'web').props).toMatchObject({ image: { $ref: 'web-image', attr: 'image' } });
    expect(Testing.resource(g, 'web').dependsOn).toEqual(['web-image']);
    expect(Testing.resource(g, 'web-svc').props).toMatchObject({ target: { $ref: 'web', attr: 'name' } });
    expect(Testing.resource(g, 'client').props).toMatchObject({ env: { WEB: { $ref: 'web-svc', attr: 'host' } } });
  });

  it('networks a Deployment joins are references to Network resources, and edges', () => {
    const c = Testing.cluster();
    const backend = new Network(c, 'backend', { internal: true });
    new Deployment(c, 'api', { image: 'api:1', networks: [backend] });
    const g = Testing.synth(c);
    expect(Testing.resource(g, 'api').props).toMatchObject({ networks: [{ $ref: 'backend', attr: 'name' }] });
    expect(Testing.resource(g, 'api').dependsOn).toEqual(['backend']);
    expect(Testing.resource(g, 'backend').props).toEqual({ internal: true });
    // Without networks, the prop is absent (the graph of existing programs does not change).
    new Deployment(c, 'web', { image: 'web:1' });
    expect(Object.keys(Testing.resource(Testing.synth(c), 'web').props)).not.toContain('networks');
  });

  it('refuses something other than a Network in networks, naming the property', () => {
    const app = new App();
    const c = new Cluster(app, 'net');
    const data = new Volume(c, 'data');
    new Deployment(c, 'api', { image: 'api:1', networks: [data as unknown as Network] });
    const f = failure(app);
    expect(f.diagnostics.map((d) => `${d.constructPath} ${d.property ?? ''}: ${d.message}`)).toEqual([expect.stringMatching(/^net\/api networks\[0\]: networks\[0\]: .*Network/)]);
  });

  it('renders as a token in strings and in JSON', () => {
    const ref = makeRef('shop/db', 'host');
    expect(isRef(ref)).toBe(true);
    expect(`${ref}`).toBe('${berth:shop/db.host}');
    expect(JSON.stringify({ h: ref })).toBe('{"h":"${berth:shop/db.host}"}');
    expect(isRef('${berth:shop/db.host}')).toBe(false);
  });

  it('a reference to a path that is no resource is a dangling-ref diagnostic naming the property', () => {
    const app = new App();
    const c = new Cluster(app, 'shop');
    new Deployment(c, 'api', { image: 'api:1', env: { DB: makeRef('shop/nope', 'host') } });
    const [d] = failure(app).diagnostics;
    expect(d).toMatchObject({ code: 'synth.dangling-ref', constructPath: 'shop/api', property: 'env.DB' });
  });

  it('a reference into another cluster is refused', () => {
    const app = new App();
    const a = new Cluster(app, 'a');
    const b = new Cluster(app, 'b');
    const db = new Deployment(a, 'db', { image: 'postgres:16' });
    const dbs = new Service(a, 'dbs', { target: db, ports: [{ port: 5432 }] });
    new Deployment(b, 'api', { image: 'api:1', env: { DB: `${dbs.host}` } });
    expect(failure(app).diagnostics.map((d) => [d.code, d.constructPath, d.property])).toEqual([['synth.cross-cluster-ref', 'b/api', 'env.DB']]);
  });
});

describe('ids from construct paths', () => {
  class WebApp extends Construct {
    constructor(scope: Construct, id: string) {
      super(scope, id);
      const api = new Deployment(this, 'api', { image: 'api:1' });
      new Service(this, 'api-svc', { target: api, ports: [{ port: 80 }] });
    }
  }

  it('joins the path below the cluster with "-"', () => {
    const c = Testing.cluster('prod');
    new WebApp(c, 'shop');
    new Deployment(c, 'top', { image: 'x:1' });
    const g = Testing.synth(c);
    expect(g.resources.map((r) => [r.id, r.path])).toEqual([
      ['shop-api', 'prod/shop/api'],
      ['shop-api-svc', 'prod/shop/api-svc'],
      ['top', 'prod/top'],
    ]);
    expect(Testing.resource(g, 'shop-api-svc').dependsOn).toEqual(['shop-api']);
  });

  it('lower-cases the construct id into the service name when none is given', () => {
    const c = Testing.cluster();
    const web = new Deployment(c, 'web', { image: 'x:1' });
    new Service(c, 'Web', { target: web, ports: [{ port: 80 }] });
    expect(Testing.resource(Testing.synth(c), 'Web').props).toMatchObject({ name: 'web' });
  });

  it('reports two paths that give the same id', () => {
    const app = new App();
    const c = new Cluster(app, 'prod');
    new WebApp(c, 'shop');
    new Deployment(c, 'shop-api', { image: 'x:1' });
    const codes = failure(app).diagnostics.map((d) => [d.code, d.message]);
    expect(codes).toContainEqual(['synth.duplicate-id', 'resource id "shop-api" is produced by both prod/shop/api and prod/shop-api']);
  });

  it('reports a duplicate construct id among siblings instead of throwing at construction', () => {
    const app = new App();
    const c = new Cluster(app, 'prod');
    new Deployment(c, 'web', { image: 'x:1' });
    expect(() => new Deployment(c, 'web', { image: 'x:2' })).not.toThrow();
    expect(failure(app).diagnostics.map((d) => [d.code, d.constructPath])).toEqual([['synth.duplicate-id', 'prod/web']]);
  });

  it('reports ids that cannot name runtime objects', () => {
    const app = new App();
    const c = new Cluster(app, 'Prod');
    new Deployment(c, '-web', { image: 'x:1' });
    expect(failure(app).diagnostics.map((d) => [d.code, d.constructPath])).toEqual([
      ['synth.invalid-id', 'Prod'],
      ['synth.invalid-id', 'Prod/-web'],
    ]);
  });
});
