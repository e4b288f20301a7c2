/**
 * Synth never crashes on bad props: for props generated from every kind's zod schema and then
 * mutated (wrong types, out-of-range numbers, unknown keys, deep nesting, cycles), the result
 * is either a graph the graph schema accepts or a SynthFailure whose every diagnostic has a
 * known code (never `internal`), a location, a construct path and a message in berth's words
 * (no stack trace, no zod default wording). The second half runs generated programs through
 * the CLI, where each property problem must point at the line of its property.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  App,
  BerthError,
  Cluster,
  Config,
  ConfigProps,
  Deployment,
  DeploymentProps,
  ERROR_CODES,
  GraphJson,
  Image,
  ImageBuild,
  ImageBuildProps,
  ImageProps,
  Job,
  JobProps,
  Network,
  NetworkProps,
  RESOURCE_KINDS,
  Secret,
  SecretProps,
  Service,
  ServiceProps,
  SynthFailure,
  synthesize,
  Volume,
  VolumeProps,
  type Construct,
  type Diagnostic,
  type ResourceKind,
  type SourceReader,
} from '@berth/core';
import { runMain } from '../cli/run.ts';
import { isPoolRef, propsArb } from './props-fuzz.ts';

type Ctor = new (scope: Construct, id: string, props: never) => Construct;
const KINDS: Record<ResourceKind, { ctor: Ctor; schema: unknown }> = {
  Image: { ctor: Image as unknown as Ctor, schema: ImageProps },
  ImageBuild: { ctor: ImageBuild as unknown as Ctor, schema: ImageBuildProps },
  Network: { ctor: Network as unknown as Ctor, schema: NetworkProps },
  Volume: { ctor: Volume as unknown as Ctor, schema: VolumeProps },
  Secret: { ctor: Secret as unknown as Ctor, schema: SecretProps },
  Config: { ctor: Config as unknown as Ctor, schema: ConfigProps },
  Job: { ctor: Job as unknown as Ctor, schema: JobProps },
  Deployment: { ctor: Deployment as unknown as Ctor, schema: DeploymentProps },
  Service: { ctor: Service as unknown as Ctor, schema: ServiceProps },
};

/** In-memory runs per kind, and whole-CLI runs in all. */
const RUNS_PER_KIND = 600;
const CLI_RUNS = 100;

/** One valid construct of every kind, for references; its source text for the CLI programs. */
function pool(c: Cluster): Record<ResourceKind, Construct> {
  const dep = new Deployment(c, 'pool-deployment', { image: 'busybox:1' });
  return {
    Image: new Image(c, 'pool-image', { name: 'busybox:1' }),
    ImageBuild: new ImageBuild(c, 'pool-build', { context: './web' }),
    Network: new Network(c, 'pool-network'),
    Volume: new Volume(c, 'pool-volume'),
    Secret: new Secret(c, 'pool-secret', { fromEnv: 'POOL_SECRET' }),
    Config: new Config(c, 'pool-config', { data: 'x' }),
    Job: new Job(c, 'pool-job', { image: 'busybox:1' }),
    Deployment: dep,
    Service: new Service(c, 'pool-service', { target: dep, ports: [{ port: 8080 }] }),
  };
}
const POOL_SOURCE = `const dep = new Deployment(c, 'pool-deployment', { image: 'busybox:1' });
const pool = {
  Image: new Image(c, 'pool-image', { name: 'busybox:1' }),
  ImageBuild: new ImageBuild(c, 'pool-build', { context: './web' }),
  Network: new Network(c, 'pool-network'),
  Volume: new Volume(c, 'pool-volume'),
  Secret: new Secret(c, 'pool-secret', { fromEnv: 'POOL_SECRET' }),
  Config: new Config(c, 'pool-config', { data: 'x' }),
  Job: new Job(c, 'pool-job', { image: 'busybox:1' }),
  Deployment: dep,
  Service: new Service(c, 'pool-service', { target: dep, ports: [{ port: 8080 }] }),
};`;

/** Pool references become the pool's constructs (or their attributes). */
function materialize(v: unknown, p: Record<ResourceKind, Construct>, seen = new Map<object, unknown>()): unknown {
  if (isPoolRef(v)) {
    const c = p[v.$pool];
    return v.attr === undefined ? c : (c as unknown as Record<string, unknown>)[v.attr];
  }
  if (v === null || typeof v !== 'object') return v;
  const done = seen.get(v);
  if (done) return done;
  const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
  seen.set(v, out);
  for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: materialize((v as Record<string, unknown>)[k], p, seen), enumerable: true, writable: true, configurable: true });
  return out;
}

const reader: SourceReader = {
  readFile: (path) => (path === './nginx.conf' ? 'server {}' : undefined),
  // Contexts are generated strings: most exist here, those that name a missing one do not.
  hashBuildContext: (context) => (context.includes('missing') ? { ok: false, problem: 'context-missing', path: context } : { ok: true, hash: `h:${context}`, files: 1 }),
};

const ZOD_WORDING = /Too (small|big)|Invalid (input|option|string|type)|expected .* to be/;

/** What every diagnostic must be: known, located, named, in berth's words. */
function checkDiagnostic(d: Diagnostic): void {
  expect(ERROR_CODES).toContain(d.code);
  expect(d.code).not.toBe('internal');
  expect(d.location, `${d.code}: ${d.message}`).toBeDefined();
  expect(d.constructPath, `${d.code}: ${d.message}`).toBeDefined();
  expect(d.message).not.toMatch(/\n\s+at /);
  expect(d.message).not.toMatch(ZOD_WORDING);
}

describe('synth fuzz: props from the schemas, mutated', () => {
  for (const kind of RESOURCE_KINDS) {
    it(`${kind}: a valid graph or located diagnostics, never a crash (${RUNS_PER_KIND} runs)`, () => {
      let graphs = 0;
      let failures = 0;
      fc.assert(
        fc.property(propsArb(KINDS[kind].schema), ({ props }) => {
          const app = new App();
          const c = new Cluster(app, 'prod');
          const p = pool(c);
          new KINDS[kind].ctor(c, 'fuzz', materialize(props, p) as never);
          let result: ReturnType<typeof synthesize> | undefined;
          try {
            result = synthesize(app, { reader });
          } catch (e) {
            // Anything but a SynthFailure is a crash.
            if (!(e instanceof SynthFailure)) throw e;
            expect(BerthError.is(e)).toBe(true);
            expect(e.diagnostics.length).toBeGreaterThan(0);
            for (const d of e.diagnostics) checkDiagnostic(d);
            failures++;
            return;
          }
          for (const g of result.graphs) expect(GraphJson.safeParse(g).error?.issues ?? []).toEqual([]);
          graphs++;
        }),
        { numRuns: RUNS_PER_KIND },
      );
      // Both outcomes are exercised, or the generator is not doing its job.
      expect(graphs).toBeGreaterThan(0);
      expect(failures).toBeGreaterThan(0);
    });
  }
});

/** A value as TypeScript source, one object key per line, so a line names one property. */
function render(v: unknown, indent = '  ', seen = new Set<object>()): string {
  if (isPoolRef(v)) return v.attr === undefined ? `pool.${v.$pool}` : `pool.${v.$pool}.${v.attr}`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'undefined';
  if (seen.has(v)) return '(() => { const o: any = { a: 1 }; o.self = o; return o; })()';
  seen.add(v);
  const inner = `${indent}  `;
  const body = Array.isArray(v)
    ? v.map((x) => `${inner}${render(x, inner, seen)},\n`).join('')
    : Object.keys(v)
        .map((k) => `${inner}${JSON.stringify(k)}: ${render((v as Record<string, unknown>)[k], inner, seen)},\n`)
        .join('');
  seen.delete(v);
  return Array.isArray(v) ? `[\n${body}${indent}]` : `{\n${body}${indent}}`;
}

function program(kind: ResourceKind, props: Record<string, unknown>): string {
  return `import { App, Cluster, Config, Deployment, Image, ImageBuild, Job, Network, Secret, Service, Volume } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
${POOL_SOURCE}
new ${kind}(c, 'fuzz', ${render(props, '')} as any);
export default app;
`;
}

/**
 * The last key of a diagnostic's property path when the generated props have the whole path
 * (keys matched longest first, as a key may hold "." or "["), else undefined.
 */
function hasPath(props: unknown, path: string): { last: string | number } | undefined {
  let v: unknown = props;
  let rest = path;
  let last: string | number = '';
  while (rest !== '') {
    if (v === null || typeof v !== 'object' || isPoolRef(v)) return undefined;
    const index = /^\[(\d+)\]/.exec(rest);
    if (index && Array.isArray(v)) {
      last = Number(index[1]);
      if (last >= v.length) return undefined;
      rest = rest.slice(index[0].length);
    } else {
      const keys = Object.keys(v).filter((k) => rest.startsWith(k) && ['', '.', '['].includes(rest.charAt(k.length)));
      const key = keys.sort((a, b) => b.length - a.length)[0];
      if (key === undefined || key === '__proto__') return undefined;
      last = key;
      rest = rest.slice(key.length);
    }
    v = (v as Record<string | number, unknown>)[last];
    if (rest.startsWith('.')) rest = rest.slice(1);
  }
  return { last };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('synth fuzz through the CLI', () => {
  it(`exits 0 with a graph or 1 with located errors at the property's line (${CLI_RUNS} programs)`, async () => {
    const kinds = fc.constantFrom(...RESOURCE_KINDS).chain((k) => propsArb(KINDS[k].schema).map((p) => ({ kind: k, ...p })));
    let runs = 0;
    let lineChecks = 0;
    await fc.assert(
      fc.asyncProperty(kinds, async ({ kind, props }) => {
        const dir = mkdtempSync(join(tmpdir(), 'berth-fuzz-'));
        dirs.push(dir);
        mkdirSync(join(dir, 'web'));
        writeFileSync(join(dir, 'web', 'Dockerfile'), 'FROM busybox:1\n');
        const text = program(kind, props);
        writeFileSync(join(dir, 'cluster.ts'), text);
        const { code, err } = await runMain(dir, ['synth']);
        runs++;
        expect(err).not.toMatch(/error\[internal\]/);
        expect(err).not.toMatch(/\n\s+at /);
        const out = join(dir, 'berth.out');
        if (code === 0) {
          expect(GraphJson.safeParse(JSON.parse(readFileSync(join(out, 'prod.graph.json'), 'utf8'))).success).toBe(true);
          return;
        }
        expect(code).toBe(1);
        expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
        const lines = text.split('\n');
        for (const m of err.matchAll(/^error\[([\w.-]+)\] (\S+)(?:\s+(\S+) \((\w+)\))?\n {2}(.*)$/gm)) {
          const [, code, where, path, , message] = m as unknown as string[];
          expect(where, m[0]).toMatch(/^cluster\.ts:\d+:\d+$/);
          expect(message).not.toMatch(ZOD_WORDING);
          // A problem of the fuzzed resource's property points at that property's line.
          const prop = /^([\w.[\]-]+): /.exec(message ?? '')?.[1] ?? /^unknown property "([^"]+)"$/.exec(message ?? '')?.[1];
          if (path !== 'prod/fuzz' || prop === undefined || code === 'load.syntax') continue;
          const found = hasPath(props, prop);
          if (!found || typeof found.last !== 'string') continue;
          const line = lines[Number((where as string).split(':')[1]) - 1] ?? '';
          expect(line, `${m[0]}\n--- program:\n${text}`).toContain(`${JSON.stringify(found.last)}:`);
          lineChecks++;
        }
      }),
      { numRuns: CLI_RUNS },
    );
    expect(runs).toBe(CLI_RUNS);
    expect(lineChecks).toBeGreaterThan(0);
  }, 120_000);
});
