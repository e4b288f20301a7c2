/**
 * Parameters in core: typed by their default, set from strings (--set) or JSON values (a
 * params file), checked against their choices, every problem reported at synth with the rest.
 */
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { App, Cluster, Deployment, SynthFailure, synthesize, type Diagnostic } from '@berth/core';

function problems(app: App): Diagnostic[] {
  try {
    synthesize(app);
    return [];
  } catch (e) {
    if (e instanceof SynthFailure) return [...e.diagnostics];
    throw e;
  }
}

const file = (environment: string, line: number) => ({ kind: 'file' as const, file: 'berth.params.json', environment, location: { file: '/app/berth.params.json', line, column: 5 } });

describe('app.param', () => {
  it('types the value by its default and its choices', () => {
    const app = new App();
    expectTypeOf(app.param('region', { default: 'eu-west', choices: ['eu-west', 'us-east'] })).toEqualTypeOf<'eu-west' | 'us-east'>();
    expectTypeOf(app.param('name', { default: 'shop' })).toEqualTypeOf<string>();
    expectTypeOf(app.param('replicas', { default: 2 })).toEqualTypeOf<number>();
    expectTypeOf(app.param('debug', { default: false })).toEqualTypeOf<boolean>();
  });

  it('gives the default, a --set string read as its type, or a file value', () => {
    const app = new App({ params: { region: 'us-east', replicas: '5', debug: 'true', size: { value: 7, origin: file('prod', 3) } }, environment: 'prod' });
    expect(app.param('region', { default: 'eu-west', choices: ['eu-west', 'us-east'] })).toBe('us-east');
    expect(app.param('replicas', { default: 2 })).toBe(5);
    expect(app.param('debug', { default: false })).toBe(true);
    expect(app.param('size', { default: 1 })).toBe(7);
    expect(app.param('unset', { default: 'x' })).toBe('x');
    expect(app.environment).toBe('prod');
    new Cluster(app, 'c');
    expect(problems(app)).toEqual([]);
    expect(app.params.resolved()).toMatchObject({
      region: { value: 'us-east', source: '--set region=…', default: 'eu-west', choices: ['eu-west', 'us-east'] },
      size: { value: 7, source: 'berth.params.json (environment "prod")' },
      unset: { value: 'x', source: 'default' },
    });
  });

  it('reports a bad choice, a wrong type and an unknown name together, each located', () => {
    const app = new App({ params: { region: 'us-eats', replicas: 'three', debug: { value: 'yes', origin: file('prod', 4) }, regoin: 'x' } });
    const c = new Cluster(app, 'c');
    const region = app.param('region', { default: 'eu-west', choices: ['eu-west', 'us-east'] });
    new Deployment(c, 'web', { image: 'nginx:1.27', replicas: app.param('replicas', { default: 2 }), env: { REGION: region, DEBUG: app.param('debug', { default: false }) } });
    const ds = problems(app);
    expect(ds.map((d) => [d.code, d.message, d.hint])).toEqual(
      expect.arrayContaining([
        ['param.invalid', 'parameter "region" must be one of "eu-west", "us-east"; --set region=… gives "us-eats"', 'did you mean "us-east"?'],
        ['param.invalid', 'parameter "replicas" is a number, but --set replicas=… gives "three"', 'set it to a number, such as 3'],
        ['param.invalid', 'parameter "debug" is a boolean, but berth.params.json (environment "prod") gives "yes"', 'set it to true or false'],
        ['param.unknown', 'unknown parameter "regoin" (from --set regoin=…): the program declares "region", "replicas", "debug"', 'did you mean "region"?'],
      ]),
    );
    expect(ds).toHaveLength(4);
    // A value from the file points at its line there; one from the program's declaration at the param() call.
    expect(ds.find((d) => d.message.includes('"debug"'))?.location).toEqual({ file: '/app/berth.params.json', line: 4, column: 5 });
    expect(ds.find((d) => d.message.includes('"region" must'))?.location?.file).toMatch(/params\.test\.ts$/);
  });

  it('refuses a declaration that cannot hold', () => {
    const app = new App();
    new Cluster(app, 'c');
    app.param('a', { default: 'x', choices: ['y'] });
    app.param('b', { default: 1 });
    app.param('b', { default: 2 });
    app.param('bad name', { default: 1 });
    expect(problems(app).map((d) => d.message)).toEqual([
      'param("a"): the default "x" is not one of its choices ("y")',
      'param("b") is declared twice, with different defaults (1 and 2)',
      'param(): "bad name" is not a parameter name',
    ]);
  });

  it('reads any number --set writes as that number, and nothing else as one', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()), (v) => {
        const app = new App({ params: { n: String(v) } });
        const got = app.param('n', { default: 0 });
        const ok = app.params.problems.length === 0;
        if (typeof v === 'number') expect([ok, got]).toEqual([true, Number(String(v))]);
        else expect(ok).toBe(v.trim() !== '' && Number.isFinite(Number(v)));
      }),
    );
  });
});
