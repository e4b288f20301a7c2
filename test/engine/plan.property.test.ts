/**
 * Planner invariants over random programs (fast-check): deterministic; nothing left to do
 * once a plan is applied; dependencies first, deletes in reverse; no secret reachable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Config, Deployment, ImageBuild, Secret, Service, Volume, type Cluster, type GraphJson } from '@berth/core';
import { plan, stateAfter, type Plan, type PlanInput } from '../../packages/engine/src/plan/index.ts';
import { secretVersion, type State } from '../../packages/engine/src/state/index.ts';
import { renderPlan } from '../../packages/cli/src/render/plan.ts';
import { deployed, graphOf, LINEAGE, reader } from './plan-builders.ts';

interface DeploymentModel {
  readonly image: number; // < 0: a literal image; else a build index
  readonly literal: 'busybox:1' | 'busybox:2';
  readonly replicas: number;
  readonly env: string;
  readonly secret: number | null;
  readonly config: number | null;
  readonly volume: number | null;
  readonly service: number | null; // env refers to the host of a Service whose target comes earlier
}
interface Model {
  readonly builds: readonly string[]; // content hash per build
  readonly configs: readonly string[];
  readonly secrets: readonly string[]; // values (never in the graph)
  readonly volumes: readonly string[]; // drivers
  readonly deployments: readonly DeploymentModel[];
  readonly services: readonly { readonly target: number; readonly port: number }[];
}

const deploymentArb: fc.Arbitrary<DeploymentModel> = fc.record({
  image: fc.integer({ min: -1, max: 1 }),
  literal: fc.constantFrom('busybox:1' as const, 'busybox:2' as const),
  replicas: fc.integer({ min: 0, max: 3 }),
  env: fc.constantFrom('a', 'b'),
  secret: fc.option(fc.nat(1), { nil: null }),
  config: fc.option(fc.nat(1), { nil: null }),
  volume: fc.option(fc.nat(1), { nil: null }),
  service: fc.option(fc.nat(1), { nil: null }),
});

const modelArb: fc.Arbitrary<Model> = fc.record({
  builds: fc.array(fc.constantFrom('v1', 'v2'), { maxLength: 2 }),
  configs: fc.array(fc.constantFrom('a = 1\n', 'a = 2\nb = 3\n'), { maxLength: 2 }),
  secrets: fc.array(fc.stringMatching(/^[A-Za-z0-9]{12,20}$/), { maxLength: 2 }),
  volumes: fc.array(fc.constantFrom('local', 'nfs'), { maxLength: 2 }),
  deployments: fc.array(deploymentArb, { minLength: 1, maxLength: 5 }),
  services: fc.array(fc.record({ target: fc.nat(4), port: fc.constantFrom(80, 8080) }), { maxLength: 2 }),
});

function pick<T>(xs: readonly T[], i: number | null): T | undefined {
  return i === null || xs.length === 0 ? undefined : xs[i % xs.length];
}

function graphOfModel(m: Model): GraphJson {
  const hashes = Object.fromEntries(m.builds.map((h, i) => [`./b${i}`, h]));
  return graphOf((c: Cluster) => {
    const builds = m.builds.map((_, i) => new ImageBuild(c, `b${i}`, { context: `./b${i}` }));
    const configs = m.configs.map((data, i) => new Config(c, `cfg${i}`, { data }));
    const secrets = m.secrets.map((_, i) => new Secret(c, `s${i}`, { fromEnv: `S${i}` }));
    const volumes = m.volumes.map((driver, i) => new Volume(c, `vol${i}`, { driver }));
    const deps: Deployment[] = [];
    const services: Service[] = [];
    m.deployments.forEach((d, i) => {
      const build = d.image >= 0 ? pick(builds, d.image) : undefined;
      const secret = pick(secrets, d.secret);
      const config = pick(configs, d.config);
      const volume = pick(volumes, d.volume);
      // only Services in front of earlier Deployments, so references never form a cycle
      const available = services.filter((x): x is Service => x !== undefined);
      const svc = d.service === null || available.length === 0 ? undefined : available[d.service % available.length];
      const env: Record<string, string | Secret> = { MODE: d.env };
      if (secret) env.SECRET = secret;
      if (svc) env.PEER = `http://${svc.host}`;
      const mounts = [...(config ? [{ config, path: '/etc/app.conf' }] : []), ...(volume ? [{ volume, path: '/data' }] : [])];
      deps.push(new Deployment(c, `d${i}`, { image: build ?? d.literal, replicas: d.replicas, env, mounts }));
      m.services.forEach((s, j) => {
        if (s.target % m.deployments.length === i) services[j] = new Service(c, `svc${j}`, { target: deps[i] as Deployment, ports: [{ port: s.port }] });
      });
    });
  }, reader(hashes));
}

function versionsOf(m: Model): Record<string, string> {
  return Object.fromEntries(m.secrets.map((v, i) => [`s${i}`, secretVersion(v, LINEAGE)]));
}

const allVolumes = ['vol0', 'vol1'];

function planned(before: Model | undefined, after: Model): { input: PlanInput; p: Plan; state: State | undefined } {
  const state = before ? deployed(graphOfModel(before), versionsOf(before)) : undefined;
  const input: PlanInput = { graph: graphOfModel(after), state, secretVersions: versionsOf(after), options: { allowDeleteVolumes: allVolumes } };
  return { input, p: plan(input), state };
}

const RUNS = { numRuns: 150 };

describe('planner properties', () => {
  it('is deterministic, whatever the order of its input', () => {
    fc.assert(
      fc.property(fc.option(modelArb, { nil: undefined }), modelArb, (before, after) => {
        const { input, p } = planned(before, after);
        expect(plan(input)).toEqual(p);
        const shuffledState = input.state && { ...input.state, resources: Object.fromEntries(Object.entries(input.state.resources).reverse()) };
        const shuffled: PlanInput = { ...input, graph: { ...input.graph, resources: [...input.graph.resources].reverse() }, state: shuffledState };
        // the graph hash covers the array as given; everything else must not care about order
        const { basis: _a, ...rest } = plan(shuffled);
        const { basis: _b, ...expected } = p;
        expect(JSON.stringify(rest)).toBe(JSON.stringify(expected));
      }),
      RUNS,
    );
  });

  it('finds nothing to do once a plan is recorded as applied', () => {
    fc.assert(
      fc.property(fc.option(modelArb, { nil: undefined }), modelArb, (before, after) => {
        const { input, p, state } = planned(before, after);
        const base: State = state ?? { stateVersion: 1, lineage: LINEAGE, serial: 0, cluster: 'shop', resources: {} };
        const applied = stateAfter(input, p, base);
        const again = plan({ ...input, state: applied });
        expect(again.changes.filter((c) => c.action !== 'noop')).toEqual([]);
        expect(again.issues).toEqual([]);
        expect(again.summary.noop).toBe(input.graph.resources.length);
      }),
      RUNS,
    );
  });

  it('orders creates and updates after their dependencies, and deletes after their dependents', () => {
    fc.assert(
      fc.property(fc.option(modelArb, { nil: undefined }), modelArb, (before, after) => {
        const { input, p, state } = planned(before, after);
        const pos = new Map(p.changes.map((c, i) => [c.id, i]));
        const graphIds = new Set(input.graph.resources.map((r) => r.id));
        for (const r of input.graph.resources) {
          for (const d of r.dependsOn) expect(pos.get(d) ?? -1).toBeLessThan(pos.get(r.id) ?? -1);
        }
        const firstDelete = p.changes.findIndex((c) => c.action === 'delete');
        if (firstDelete >= 0) expect(p.changes.slice(firstDelete).every((c) => c.action === 'delete')).toBe(true);
        for (const c of p.changes.filter((x) => x.action === 'delete')) {
          for (const dep of state?.resources[c.id]?.dependsOn ?? []) {
            if (!graphIds.has(dep) && pos.has(dep)) expect(pos.get(c.id) ?? -1).toBeLessThan(pos.get(dep) ?? -1);
          }
        }
        expect(p.changes.length).toBe(new Set(p.changes.map((c) => c.id)).size);
      }),
      RUNS,
    );
  });

  it('never lets a secret value or version reach the plan, its JSON or its rendering', () => {
    fc.assert(
      fc.property(modelArb, modelArb, fc.boolean(), (before, after, color) => {
        const { p } = planned(before, after);
        const texts = [JSON.stringify(p), renderPlan(p, { color }), renderPlan(p, { color: false, verbose: true })];
        const forbidden = [...before.secrets, ...after.secrets, ...Object.values(versionsOf(before)), ...Object.values(versionsOf(after))];
        for (const t of texts) for (const f of forbidden) expect(t).not.toContain(f);
        // and no object anywhere in the plan holds one either
        const walk = (v: unknown): void => {
          if (typeof v === 'string') for (const f of forbidden) expect(v).not.toContain(f);
          else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
        };
        walk(p);
      }),
      RUNS,
    );
  });
});
