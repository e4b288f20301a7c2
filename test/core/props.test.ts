import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  App,
  Cluster,
  Deployment,
  ERROR_CODES,
  Image,
  ImageBuild,
  Secret,
  Service,
  SynthFailure,
  synthesize,
  type Diagnostic,
  type DeploymentProps,
  type ServiceProps,
  type Ref,
} from '@berth/core';

describe('inferred prop types', () => {
  it('DeploymentProps: optional defaults, image from a name, an Image or an ImageBuild', () => {
    expectTypeOf<DeploymentProps['replicas']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<DeploymentProps>().toHaveProperty('image');
    expectTypeOf<string>().toExtend<DeploymentProps['image']>();
    expectTypeOf<ImageBuild>().toExtend<DeploymentProps['image']>();
    expectTypeOf<Image>().toExtend<DeploymentProps['image']>();
    expectTypeOf<number>().not.toExtend<DeploymentProps['image']>();
    expectTypeOf<{ image: string }>().toExtend<DeploymentProps>();
    expectTypeOf<{ image: string; replicas: '3' }>().not.toExtend<DeploymentProps>();
    expectTypeOf<{ replicas: 3 }>().not.toExtend<DeploymentProps>();
  });

  it('env takes literals, references and Secrets; quantities take strings or numbers', () => {
    type Env = NonNullable<DeploymentProps['env']>[string];
    expectTypeOf<string>().toExtend<Env>();
    expectTypeOf<number>().toExtend<Env>();
    expectTypeOf<Ref>().toExtend<Env>();
    expectTypeOf<Secret>().toExtend<Env>();
    type Cpu = NonNullable<NonNullable<NonNullable<DeploymentProps['resources']>['requests']>['cpu']>;
    expectTypeOf<Cpu>().toEqualTypeOf<string | number>();
  });

  it('ServiceProps targets a Deployment', () => {
    expectTypeOf<Deployment>().toExtend<ServiceProps['target']>();
    expectTypeOf<string>().not.toExtend<ServiceProps['target']>();
  });
});

function diagnosticsOf(build: (c: Cluster) => void): readonly Diagnostic[] {
  const app = new App();
  build(new Cluster(app, 'prod'));
  try {
    synthesize(app);
  } catch (e) {
    if (e instanceof SynthFailure) return e.diagnostics;
    throw e;
  }
  throw new Error('expected synth to fail');
}

describe('diagnostics', () => {
  const bad = (c: Cluster): void => {
    new Deployment(c, 'web', { replicas: -1, imag: 'nginx' } as unknown as DeploymentProps);
    new Deployment(c, 'api', { image: 'api:1', ports: [70000], resources: { limits: { memory: '12Qi', cpu: 'lots' } }, health: { interval: '5s' } });
    const web = new Deployment(c, 'ok', { image: 'x:1' });
    new Service(c, 'svc', { target: web, ports: [] });
    new Service(c, 'svc2', { target: 'web' as unknown as Deployment, ports: [{ port: 80 }] });
  };

  it('every prop error has a known code, a location in this file, a construct path and a property', () => {
    const diags = diagnosticsOf(bad);
    expect(diags.length).toBeGreaterThanOrEqual(8);
    for (const d of diags) {
      expect(ERROR_CODES).toContain(d.code);
      expect(d.code).toMatch(/^(props|quantity|synth)\./);
      expect(d.location?.file).toMatch(/test\/core\/props\.test\.ts$/);
      expect(d.location?.line).toBeGreaterThan(0);
      expect(d.location?.column).toBeGreaterThan(0);
      expect(d.constructPath).toMatch(/^prod\//);
      expect(d.kind).toMatch(/^(Deployment|Service)$/);
      expect(d.property).toBeTruthy();
    }
  });

  it('lists every problem of the program, not just the first, each said once', () => {
    const diags = diagnosticsOf(bad);
    expect(diags.map((d) => `${d.code} ${d.constructPath} ${d.property}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`)).toMatchInlineSnapshot(`
      [
        "synth.missing-image prod/web image: image: a Deployment needs an image (hint: set image: to an ImageBuild, an Image or an image name such as "busybox:1.36")",
        "props.invalid prod/web replicas: replicas: must be >= 0, got -1 (hint: use replicas: 0 to stop it, or remove the Deployment)",
        "props.unknown prod/web imag: unknown property "imag" (hint: did you mean "image"?)",
        "props.invalid prod/api health: health: set exactly one of http, tcp or exec (got 0)",
        "props.invalid prod/api ports[0]: ports[0]: must be <= 65535, got 70000 (hint: use a number of at most 65535)",
        "quantity.invalid prod/api resources.limits.cpu: resources.limits.cpu: not a cpu quantity: "lots"; write cores such as 0.5 or "500m"",
        "quantity.invalid prod/api resources.limits.memory: resources.limits.memory: not a memory quantity: "12Qi"; write bytes with a suffix such as "128Mi" or "1G"",
        "props.invalid prod/svc ports: ports: a Service needs at least one port, got 0 items (hint: list at least 1 item)",
        "props.invalid prod/svc2 target: target: expected a Deployment construct, got "web" (hint: pass the Deployment itself, as \`new Deployment(…)\` returned it)",
      ]
    `);
  });

  it('points each diagnostic at the statement that created the construct, and sorts by it', () => {
    // Unit tests see raw (unmapped) positions of the transformed file: compare, don't pin.
    const diags = diagnosticsOf(bad);
    const line = (path: string): number => diags.find((d) => d.constructPath === path)?.location?.line ?? 0;
    const lines = ['prod/web', 'prod/api', 'prod/svc', 'prod/svc2'].map(line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
    expect(new Set(lines).size).toBe(4);
    const all = diags.map((d) => d.location?.line ?? 0);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
  });
});
