import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  App,
  Cluster,
  Config,
  DeploymentSpec,
  Deployment,
  GraphJson,
  Job,
  Secret,
  Service,
  Volume,
  formatGraph,
  graphChunks,
  makeRef,
  stableStringify,
  synthesize,
  type SourceReader,
} from '@berth/core';
import { Testing } from '@berth/core/testing';

describe('defaults', () => {
  it('fills every DeploymentSpec default from an image alone', () => {
    const c = Testing.cluster();
    new Deployment(c, 'web', { image: 'busybox:1.36' });
    const web = Testing.resource(Testing.synth(c), 'web');
    expect(web.props).toEqual({
      image: 'busybox:1.36',
      replicas: 1,
      restart: 'always',
      env: {},
      ports: [],
      resources: {},
      mounts: [],
      dependsOn: [],
      update: { maxSurge: 1, maxUnavailable: 0, progressDeadline: 60_000 },
      placement: { constraints: {}, strategy: 'spread', priority: 0 },
    });
    expect(DeploymentSpec.safeParse(web.props).success).toBe(true);
  });

  it('fills probe timing, port protocol and service target ports, in graph units', () => {
    const c = Testing.cluster();
    const web = new Deployment(c, 'web', {
      image: 'busybox:1.36',
      ports: [8080],
      health: { http: { port: 8080 }, interval: '2s' },
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: 1 } },
    });
    new Service(c, 'web-svc', { target: web, ports: [{ port: 8080 }] });
    const g = Testing.synth(c);
    expect(Testing.resource(g, 'web').props).toMatchObject({
      ports: [{ containerPort: 8080, protocol: 'tcp' }],
      health: { type: 'http', path: '/', port: 8080, interval: 2000, timeout: 5000, retries: 3, startPeriod: 0 },
      resources: { requests: { cpu: 250, memory: 67_108_864 }, limits: { cpu: 1000 } },
    });
    expect(Testing.resource(g, 'web-svc').props).toEqual({ name: 'web-svc', target: { $ref: 'web', attr: 'name' }, ports: [{ port: 8080, targetPort: 8080, protocol: 'tcp' }] });
  });

  it('gives a graph that the graph schema accepts', () => {
    const c = Testing.cluster('shop');
    const pw = new Secret(c, 'pw', { fromEnv: 'PW' });
    const vol = new Volume(c, 'data');
    const cfg = new Config(c, 'cfg', { data: 'a=1\n' });
    const db = new Deployment(c, 'db', { image: 'postgres:16', env: { PW: pw }, mounts: [{ volume: vol, path: '/data' }, { config: cfg, path: '/etc/cfg' }] });
    const dbs = new Service(c, 'dbs', { target: db, ports: [{ port: 5432 }] });
    new Job(c, 'migrate', { image: 'm:1', env: { DB: dbs.host } });
    const parsed = GraphJson.safeParse(Testing.synth(c));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});

interface Spec {
  readonly name: string;
  readonly replicas: number;
  readonly cpu: number;
  readonly peer: number;
}

/**
 * Deployments, then their Services, each created in the given order. Deployment i refers to the
 * Service of an earlier one (by path, so it need not exist yet), which keeps the graph acyclic.
 */
function program(specs: readonly Spec[], deployOrder: readonly number[], serviceOrder: readonly number[]): App {
  const app = new App();
  const c = new Cluster(app, 'prop');
  const made = new Map<number, Deployment>();
  for (const i of deployOrder) {
    const s = specs[i] as Spec;
    const peer = i > 0 ? (specs[s.peer % i] as Spec) : undefined;
    made.set(i, new Deployment(c, s.name, {
      image: `img/${s.name}:1`,
      replicas: s.replicas,
      env: peer ? { PEER: `http://${makeRef(`prop/${peer.name}-svc`, 'host')}:80/`, INDEX: i } : { INDEX: i },
      resources: { requests: { cpu: `${s.cpu}m` } },
    }));
  }
  for (const i of serviceOrder) {
    const s = specs[i] as Spec;
    new Service(c, `${s.name}-svc`, { target: made.get(i) as Deployment, ports: [{ port: 80, targetPort: 8080 }] });
  }
  return app;
}

const bytes = (app: App): string => synthesize(app).graphs.map((g) => stableStringify(g)).join('\n');

describe('determinism', () => {
  const specs = fc.uniqueArray(
    fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), replicas: fc.nat({ max: 9 }), cpu: fc.integer({ min: 1, max: 4000 }), peer: fc.nat() }),
    { minLength: 1, maxLength: 12, selector: (s) => s.name },
  );
  const identity = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it('the same program twice gives the same bytes', () => {
    fc.assert(
      fc.property(specs, (s) => {
        expect(bytes(program(s, identity(s.length), identity(s.length)))).toBe(bytes(program(s, identity(s.length), identity(s.length))));
      }),
      { numRuns: 50 },
    );
  });

  it('creating the constructs in another order gives the same graph bytes', () => {
    const withOrders = specs.chain((s) =>
      fc.tuple(fc.constant(s), fc.shuffledSubarray(identity(s.length), { minLength: s.length }), fc.shuffledSubarray(identity(s.length), { minLength: s.length })),
    );
    fc.assert(
      fc.property(withOrders, ([s, deployOrder, serviceOrder]) => {
        expect(bytes(program(s, deployOrder, serviceOrder))).toBe(bytes(program(s, identity(s.length), identity(s.length))));
      }),
      { numRuns: 100 },
    );
  });
});

describe('secrets', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('the graph names where a secret comes from, never its value', () => {
    fc.assert(
      // A marker no graph contains, so a hit can only be the value (a bare random string such as
      // "constr" is found inside ordinary words of the graph).
      fc.property(fc.string({ minLength: 6 }).filter((v) => !/[{}"\\]|DB_PASSWORD|db-password|fromEnv/.test(v) && v.trim().length >= 6).map((v) => `zq8~${v}`), (value) => {
        vi.stubEnv('DB_PASSWORD', value);
        const c = Testing.cluster('shop');
        const pw = new Secret(c, 'db-password', { fromEnv: 'DB_PASSWORD' });
        new Deployment(c, 'db', { image: 'postgres:16', env: { POSTGRES_PASSWORD: pw }, mounts: [{ secret: pw, path: '/run/secrets/pw' }] });
        const text = stableStringify(Testing.synth(c));
        expect(text).toContain('"fromEnv": "DB_PASSWORD"');
        expect(text).not.toContain(value);
        const g = Testing.synth(c);
        expect(Testing.resource(g, 'db').props).toMatchObject({ env: { POSTGRES_PASSWORD: { $ref: 'db-password', attr: 'value' } } });
      }),
      { numRuns: 50 },
    );
  });

  it('a file-backed secret is not read at synth', () => {
    const read: string[] = [];
    const reader: SourceReader = {
      readFile: (path) => {
        read.push(path);
        return 'hunter2-from-the-file';
      },
      hashBuildContext: (context, dockerfile) => ({ ok: true, hash: `${context}:${dockerfile}`, files: 0 }),
    };
    const c = Testing.cluster('shop');
    new Secret(c, 'tls-key', { fromFile: './secrets/tls.key' });
    const text = stableStringify(Testing.synth(c, { reader }));
    expect(read).toEqual([]);
    expect(text).toContain('./secrets/tls.key');
    expect(text).not.toContain('hunter2');
  });
});

describe('large clusters', () => {
  // Synth compiles a kind's schema when a cluster has hundreds of resources of it; the
  // compiled parser must give the same props as the ordinary one, and the same diagnostics.
  const props = fc.record(
    {
      image: fc.constantFrom('busybox:1.36', 'nginx:1.27'),
      replicas: fc.integer({ min: -1, max: 5 }),
      ports: fc.array(fc.oneof(fc.integer({ min: 1, max: 70000 }), fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom('tcp' as const, 'udp' as const) })), { maxLength: 2 }),
      env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,5}$/), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()), { maxKeys: 3 }),
      resources: fc.record({ requests: fc.record({ cpu: fc.constantFrom('100m', 0.5, 'x'), memory: fc.constantFrom('64Mi', 1024, '1Qi') }, { requiredKeys: [] }) }, { requiredKeys: [] }),
      health: fc.oneof(
        fc.record({ http: fc.record({ path: fc.constantFrom('/', '/healthz'), port: fc.integer({ min: 1, max: 65535 }) }, { requiredKeys: ['port'] }), interval: fc.constantFrom('1s', '1m30s', '250ms') }, { requiredKeys: ['http'] }),
        fc.record({ tcp: fc.record({ port: fc.integer({ min: 1, max: 65535 }) }), retries: fc.integer({ min: 0, max: 5 }) }, { requiredKeys: ['tcp'] }),
        fc.record({ exec: fc.record({ command: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }) }) }),
      ),
      restart: fc.constantFrom('always' as const, 'no' as const),
      placement: fc.record({ strategy: fc.constantFrom('spread' as const, 'binpack' as const), maxPerNode: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: [] }),
    },
    { requiredKeys: ['image'] },
  );

  const synthOne = (p: object, fillers: number): { ok: true; props: unknown } | { ok: false; diags: unknown } => {
    const app = new App();
    const c = new Cluster(app, 'big');
    for (let i = 0; i < fillers; i++) new Deployment(c, `f${i}`, { image: 'busybox:1.36' });
    new Deployment(c, 'subject', p as never);
    try {
      const g = synthesize(app).graphs[0] as GraphJson;
      return { ok: true, props: g.resources.find((r) => r.id === 'subject')?.props };
    } catch (e) {
      return { ok: false, diags: (e as { diagnostics?: unknown[] }).diagnostics?.map((d) => ({ ...(d as object), location: undefined })) };
    }
  };

  it('give the same props and diagnostics as small ones', () => {
    fc.assert(
      fc.property(props, (p) => {
        expect(synthOne(p, 300)).toEqual(synthOne(p, 0));
      }),
      { numRuns: 30 },
    );
  });
});

describe('canonical key order', () => {
  // formatGraph writes resources with JSON.stringify as they are: every object synth returns
  // must already list its keys as the sorted copy would, or graph bytes would depend on the
  // order the program set properties in.
  const specs = fc.uniqueArray(
    fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), replicas: fc.nat({ max: 9 }), cpu: fc.integer({ min: 1, max: 4000 }), peer: fc.nat() }),
    { minLength: 1, maxLength: 12, selector: (s) => s.name },
  );
  const envKeys = fc.uniqueArray(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,4}$/), { maxLength: 6 });

  it('synthesized graphs are what stableStringify would write, and formatGraph writes exactly them', () => {
    fc.assert(
      fc.property(specs, envKeys, fc.boolean(), (s, keys, compiled) => {
        const app = program(s, s.map((_, i) => i), s.map((_, i) => i));
        const c = app.node.findChild('prop') as Cluster;
        // Props written in arbitrary key order, records with arbitrary keys, enough resources
        // of a kind (sometimes) for synth to use the compiled schema.
        for (let i = 0; i < (compiled ? 300 : 2); i++) {
          new Deployment(c, `zz-${i}`, {
            update: { maxUnavailable: 1 },
            env: Object.fromEntries(keys.map((k, j) => [k, j % 2 ? j : makeRef('prop/zz-0', 'name')])),
            placement: { constraints: Object.fromEntries(keys.map((k) => [k.toLowerCase(), 'v'])), priority: i },
            image: 'busybox:1.36',
            ports: [{ protocol: 'udp', containerPort: 53 }, 8080],
            health: { interval: '2s', tcp: { port: 8080 } },
          });
        }
        for (const g of synthesize(app).graphs) {
          expect(JSON.stringify(g)).toBe(stableStringify(g, 0));
          const text = formatGraph(g);
          expect(JSON.parse(text)).toEqual(JSON.parse(stableStringify(g)));
          const lines = text.split('\n');
          for (const r of g.resources) expect(lines).toContain(`    ${stableStringify(r, 0)}${r === g.resources.at(-1) ? '' : ','}`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('formatGraph puts each resource on one line and the rest one field per line', () => {
    const c = Testing.cluster('fmt');
    const web = new Deployment(c, 'web', { image: 'busybox:1.36' });
    new Service(c, 'web-svc', { target: web, ports: [{ port: 80 }] });
    const text = formatGraph(Testing.synth(c));
    const lines = text.split('\n');
    expect(lines[0]).toBe('{');
    expect(lines[1]).toBe('  "cluster": "fmt",');
    expect(lines.filter((l) => l.startsWith('    {"dependsOn":'))).toHaveLength(2);
    expect(text.endsWith('}\n')).toBe(true);
    expect(formatGraph({ cluster: 'e', resources: [], moved: [] })).toBe('{\n  "cluster": "e",\n  "moved": [],\n  "resources": []\n}\n');
  });
});

describe('graphChunks', () => {
  it('are formatGraph cut into pieces of at most `batch` resources', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 5 }), (n, batch) => {
        const c = Testing.cluster('chunks');
        for (let i = 0; i < n; i++) new Deployment(c, `d${i}`, { image: 'busybox:1.36', env: { I: i } });
        const g = Testing.synth(c);
        const chunks = [...graphChunks(g, batch)];
        expect(chunks.join('')).toBe(formatGraph(g));
        for (const chunk of chunks) expect(chunk.split('\n').filter((l) => l.startsWith('    {')).length).toBeLessThanOrEqual(batch);
      }),
      { numRuns: 60 },
    );
  });
});
