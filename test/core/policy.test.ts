/**
 * Policies at synth: built-in and user rules over the graph, violations as located diagnostics
 * listed all at once, errors failing synth, warnings not; and (property) a Policy only reads:
 * the graph is the same bytes with or without it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  App,
  Cluster,
  Construct,
  Deployment,
  Image,
  ImageBuild,
  Policy,
  Secret,
  Service,
  SynthFailure,
  Volume,
  formatGraph,
  imageTag,
  maxReplicas,
  noHostAccess,
  noLatestTags,
  noSecretsInEnv,
  requireHealthChecks,
  requireLimits,
  rule,
  synthesize,
  type Diagnostic,
} from '@berth/core';

/** Where synth locates a construct without a loader: its first captured frame. */
function at(c: object): unknown {
  return (c as { frames: readonly unknown[] }).frames[0];
}

function failure(app: App): Diagnostic[] {
  try {
    synthesize(app);
  } catch (e) {
    if (e instanceof SynthFailure) return [...e.diagnostics];
    throw e;
  }
  throw new Error('synth did not fail');
}

const limited = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } };

describe('built-in rules', () => {
  it('lists every violation at once, each located at its resource, with the rule and a hint', () => {
    const app = new App();
    const c = new Cluster(app, 'prod');
    new Policy(app, 'prod-rules', { rules: [requireLimits(), noLatestTags(), maxReplicas(50), requireHealthChecks(), noSecretsInEnv(), noHostAccess()] });
    const pw = new Secret(c, 'pw', { fromEnv: 'PW' });
    const web = new Deployment(c, 'web', { image: 'nginx:latest', replicas: 300, env: { PASSWORD: pw, URL: `postgres://u:${pw.value}@db` } });
    new Service(c, 'web-svc', { target: web, ports: [{ port: 80, publish: 8080 }] });
    const base = new Image(c, 'base', { name: 'debian' });
    new Volume(c, 'sock', { options: { type: 'none', o: 'bind', device: '/var/run/docker.sock' } });
    new Deployment(c, 'root', { image: 'busybox:1.36', user: '0', resources: limited });
    const ds = failure(app);
    const brief = ds.map((d) => `${d.severity ?? 'error'} ${d.rule ?? d.code} ${d.constructPath} ${d.property ?? ''}`);
    expect(brief.sort()).toEqual(
      [
        'error max-replicas prod/web replicas',
        'error no-host-access prod/root user',
        'error no-host-access prod/sock options',
        'error no-latest-tags prod/base name',
        'error no-latest-tags prod/web image',
        'error no-secrets-in-env prod/web env.PASSWORD',
        'error no-secrets-in-env prod/web env.URL',
        'error require-health-checks prod/web health',
        'error require-limits prod/web resources',
      ].sort(),
    );
    expect(ds.every((d) => d.code === 'policy.violation' && d.hint && d.kind)).toBe(true);
    const byRule = (r: string, p: string) => ds.find((d) => d.rule === r && d.constructPath === p);
    expect(byRule('max-replicas', 'prod/web')?.location).toEqual(at(web));
    expect(byRule('max-replicas', 'prod/web')?.location?.file).toMatch(/policy\.test\.ts$/);
    // The health check is missing on the Deployment, which the Service publishes: located at the Deployment.
    expect(byRule('require-health-checks', 'prod/web')?.location).toEqual(at(web));
    expect(byRule('require-health-checks', 'prod/web')?.message).toContain('published on host port 8080 by prod/web-svc');
    expect(byRule('no-latest-tags', 'prod/base')?.location).toEqual(at(base));
    expect(byRule('no-latest-tags', 'prod/base')?.message).toMatch(/"debian" has no tag, so it means :latest/);
    expect(byRule('no-secrets-in-env', 'prod/web')?.hint).toMatch(/mounts: \[\{ secret: …, path: '\/run\/secrets\/pw' \}\]/);
    // Diagnostics come in source order.
    const lines = ds.map((d) => d.location?.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('passes a program that keeps the rules, and leaves ImageBuilds and digests alone', () => {
    const app = new App();
    const c = new Cluster(app, 'ok');
    new Policy(app, 'rules', { rules: [requireLimits(), noLatestTags({ requireDigest: true }), requireHealthChecks({ all: true }), noSecretsInEnv(), noHostAccess()] });
    const pw = new Secret(c, 'pw', { fromEnv: 'PW' });
    const img = new ImageBuild(c, 'img', { context: '.' });
    const web = new Deployment(c, 'web', { image: img, resources: limited, health: { tcp: { port: 80 } }, mounts: [{ secret: pw, path: '/run/secrets/pw' }], user: '1000' });
    new Service(c, 'svc', { target: web, ports: [{ port: 80, publish: 8080 }] });
    new Deployment(c, 'pinned', { image: 'busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', resources: limited });
    const { warnings } = synthesize(app, { reader: { hashBuildContext: () => ({ ok: true, hash: 'h', files: 1 }), readFile: () => '' } });
    expect(warnings).toEqual([]);
  });

  it('reads image tags as the engine does: a registry port is not a tag', () => {
    expect(imageTag('localhost:5000/web')).toEqual({ tag: undefined, digest: false });
    expect(imageTag('localhost:5000/web:1.2')).toEqual({ tag: '1.2', digest: false });
    expect(imageTag('web@sha256:ab')).toEqual({ tag: undefined, digest: true });
  });

  it('takes a severity: warnings do not fail synth and come back with the graphs', () => {
    const app = new App();
    const c = new Cluster(app, 'dev');
    new Policy(app, 'soft', { rules: [requireLimits({ severity: 'warning' }), maxReplicas(2)] });
    new Deployment(c, 'web', { image: 'nginx:1.27', replicas: 2 });
    const { graphs, warnings } = synthesize(app);
    expect(graphs).toHaveLength(1);
    expect(warnings.map((w) => [w.severity, w.rule, w.constructPath])).toEqual([['warning', 'require-limits', 'dev/web']]);
  });

  it("an advisory Policy (severity: 'warning') turns its errors into warnings", () => {
    const app = new App();
    const c = new Cluster(app, 'dev');
    new Policy(c, 'advice', { rules: [maxReplicas(1)], severity: 'warning' });
    new Deployment(c, 'web', { image: 'nginx:1.27', replicas: 2 });
    expect(synthesize(app).warnings.map((w) => w.rule)).toEqual(['max-replicas']);
  });
});

describe('user rules and scope', () => {
  it('runs rules users write, bare or named, over the resources below the Policy scope only', () => {
    const app = new App();
    const prod = new Cluster(app, 'prod');
    const dev = new Cluster(app, 'dev');
    const seen: string[] = [];
    function namedByPrefix(r: { path: string; id: string }, report: { error(m: string, o?: { hint?: string }): void }): void {
      seen.push(r.path);
      if (!r.id.startsWith('shop-')) report.error(`id "${r.id}" does not start with shop-`, { hint: 'prefix it with shop-' });
    }
    new Policy(prod, 'naming', { rules: [namedByPrefix, rule('no-jobs', (r, report) => r.kind === 'Job' && report.warning('no jobs in prod'))] });
    new Deployment(prod, 'shop-web', { image: 'nginx:1.27' });
    new Deployment(prod, 'api', { image: 'nginx:1.27' });
    new Deployment(dev, 'anything', { image: 'nginx:1.27' });
    const ds = failure(app);
    expect(seen.sort()).toEqual(['prod/api', 'prod/shop-web']);
    expect(ds.map((d) => [d.rule, d.constructPath, d.message])).toEqual([['namedByPrefix', 'prod/api', 'id "api" does not start with shop- (policy prod/naming, rule namedByPrefix)']]);
  });

  it('reports a rule that throws once, at the Policy, and keeps the other rules running', () => {
    const app = new App();
    const c = new Cluster(app, 'x');
    const policy = new Policy(app, 'p', { rules: [rule('broken', () => { throw new TypeError('boom'); }), maxReplicas(1)] });
    new Deployment(c, 'a', { image: 'nginx:1.27', replicas: 3 });
    new Deployment(c, 'b', { image: 'nginx:1.27', replicas: 3 });
    const ds = failure(app);
    const failed = ds.filter((d) => d.code === 'policy.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.message).toBe('rule "broken" threw while checking x/a: boom');
    expect(failed[0]?.location).toEqual(at(policy));
    expect(ds.filter((d) => d.rule === 'max-replicas').map((d) => d.constructPath)).toEqual(['x/a', 'x/b']);
  });

  it('leaves excluded constructs alone, and reports what is not a rule', () => {
    const app = new App();
    const c = new Cluster(app, 'x');
    const legacy = new Construct(c, 'legacy');
    new Deployment(legacy, 'old', { image: 'nginx:1.27', replicas: 9 });
    new Policy(app, 'p', { rules: [maxReplicas(1)], exclude: [legacy] });
    expect(synthesize(app).warnings).toEqual([]);
    const app2 = new App();
    new Cluster(app2, 'y');
    new Policy(app2, 'bad', { rules: [42 as never] });
    expect(failure(app2).map((d) => [d.code, d.property, d.message])).toEqual([['props.invalid', 'rules[0]', 'rules[0]: expected a rule (a function or { name, check }), got number']]);
  });
});

describe('properties', () => {
  const deployment = fc.record({
    replicas: fc.integer({ min: 0, max: 20 }),
    tag: fc.constantFrom('1.27', 'latest', undefined),
    limits: fc.boolean(),
  });

  it('a Policy only reads: the graph is the same bytes with and without one', () => {
    fc.assert(
      fc.property(fc.array(deployment, { minLength: 1, maxLength: 6 }), (ds) => {
        const build = (withPolicy: boolean) => {
          const app = new App();
          const c = new Cluster(app, 'p');
          if (withPolicy) new Policy(app, 'all', { rules: [requireLimits(), noLatestTags(), maxReplicas(5)], severity: 'warning' });
          ds.forEach((d, i) => new Deployment(c, `d${i}`, { image: d.tag ? `nginx:${d.tag}` : 'nginx', replicas: d.replicas, ...(d.limits ? { resources: limited } : {}) }));
          return synthesize(app);
        };
        const plain = build(false);
        const checked = build(true);
        expect(checked.graphs.map((g) => formatGraph(g))).toEqual(plain.graphs.map((g) => formatGraph(g)));
        // One warning per broken rule per resource, never more, never fewer.
        const expected = ds.reduce((n, d) => n + (d.limits ? 0 : 1) + (d.tag === '1.27' ? 0 : 1) + (d.replicas > 5 ? 1 : 0), 0);
        expect(checked.warnings).toHaveLength(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('the same program reports the same diagnostics, in the same order', () => {
    fc.assert(
      fc.property(fc.array(deployment, { minLength: 1, maxLength: 6 }), (ds) => {
        const run = () => {
          const app = new App();
          const c = new Cluster(app, 'p');
          new Policy(app, 'all', { rules: [requireLimits(), noLatestTags(), maxReplicas(5)] });
          ds.forEach((d, i) => new Deployment(c, `d${i}`, { image: d.tag ? `nginx:${d.tag}` : 'nginx', replicas: d.replicas, ...(d.limits ? { resources: limited } : {}) }));
          try {
            synthesize(app);
            return [];
          } catch (e) {
            return (e as SynthFailure).diagnostics.map((x) => `${x.constructPath} ${x.rule} ${x.message}`);
          }
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 40 },
    );
  });
});
