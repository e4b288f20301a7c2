/**
 * Synthesis: construct tree → one validated resource graph per Cluster.
 * Collects every problem of the program before failing (SynthFailure lists them all).
 */
import { createHash } from 'node:crypto';

import type { Construct } from 'constructs';
import { z } from 'zod';
import { SynthFailure, type Diagnostic, type ErrorCode, type SourceLocation } from '../errors.ts';
import { ConfigProps } from '../kinds/config.ts';
import { DeploymentProps } from '../kinds/deployment.ts';
import { ImageBuildProps } from '../kinds/image-build.ts';
import { ImageProps } from '../kinds/image.ts';
import { JobProps } from '../kinds/job.ts';
import { NetworkProps } from '../kinds/network.ts';
import { isResource } from '../kinds/resource-brand.ts';
import { SecretProps } from '../kinds/secret.ts';
import { ServiceProps } from '../kinds/service.ts';
import { VolumeProps } from '../kinds/volume.ts';
import type { RawFrames } from '../private/location.ts';
import { isRef, TOKEN_RE } from '../refs.ts';
import type { App } from '../tree/app.ts';
import { Cluster, ClusterProps, targetJsonOf } from '../tree/cluster.ts';
import { movesOf } from '../tree/moved.ts';
import type { Resource, ResourceKind } from '../tree/resource.ts';
import { GRAPH_SCHEMA_VERSION, type GraphJson, type ResourceJson } from '../graph/schema.ts';
import { noFilesReader, type SourceReader } from './source-reader.ts';
import { closest } from './suggest.ts';

export interface SynthOptions {
  /** File access for build contexts and config files. @default no files (for unit tests) */
  readonly reader?: SourceReader;
  /** Maps raw stack frames to a location in cluster.ts. @default the first frame as is */
  readonly resolveLocation?: (frames: RawFrames) => SourceLocation | undefined;
  /**
   * How a resource's `source.file` is written into the graph (diagnostics keep the file as
   * resolveLocation gave it), e.g. relative to the app directory. @default as is
   */
  readonly sourceFile?: (file: string) => string;
}

export interface SynthResult {
  /** One graph per Cluster, in cluster id order. */
  readonly graphs: readonly GraphJson[];
}

const INPUT_SCHEMAS: Record<ResourceKind, z.ZodType> = {
  Deployment: DeploymentProps,
  Job: JobProps,
  Service: ServiceProps,
  Volume: VolumeProps,
  Network: NetworkProps,
  Secret: SecretProps,
  Config: ConfigProps,
  Image: ImageProps,
  ImageBuild: ImageBuildProps,
};

/**
 * The schemas as zod compiles them: generated code for the common valid case, while an invalid
 * input falls back to the ordinary parser, so the issues are the same. Compiling a kind costs
 * about as much as parsing 300 resources of it (bench/synth), so only a cluster with many
 * resources of a kind uses the compiled schema; the output is the same either way.
 */
const COMPILE_FROM = 300;
const compiledSchemas = new Map<ResourceKind, z.ZodType>();
function inputSchema(kind: ResourceKind, count: number): z.ZodType {
  let s = compiledSchemas.get(kind);
  if (!s) {
    if (count < COMPILE_FROM) return INPUT_SCHEMAS[kind];
    s = z.compile(INPUT_SCHEMAS[kind]);
    compiledSchemas.set(kind, s);
  }
  return s;
}

/** What synth knows of one resource (id and location are set per cluster). */
interface Entry {
  readonly r: Resource;
  readonly path: string;
  readonly cluster: Cluster | undefined;
  id: string;
  loc: SourceLocation | undefined;
}

/** The attribute a construct stands for when passed whole (`image: build`). */
const DEFAULT_ATTR: Record<ResourceKind, string> = {
  Deployment: 'name',
  Job: 'id',
  Service: 'host',
  Volume: 'name',
  Network: 'name',
  Secret: 'value',
  Config: 'data',
  Image: 'image',
  ImageBuild: 'image',
};

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const defaultResolve = (frames: RawFrames): SourceLocation | undefined => frames[0];

/** Turns `app` into graphs; throws {@link SynthFailure} listing every problem. */
export function synthesize(app: App, options: SynthOptions = {}): SynthResult {
  const reader = options.reader ?? noFilesReader;
  const resolve = options.resolveLocation ?? defaultResolve;
  const sourceFile = options.sourceFile ?? ((f: string) => f);
  const diags: Array<Diagnostic & { order: number }> = [];
  let order = 0;
  const report = (d: Diagnostic): void => {
    diags.push({ ...d, order: order++ });
  };

  // One frozen source object per location: a loop makes thousands of resources on one line.
  const sources = new Map<SourceLocation, NonNullable<ResourceJson['source']>>();
  const sourceOf = (loc: SourceLocation): NonNullable<ResourceJson['source']> => {
    let src = sources.get(loc);
    if (!src) sources.set(loc, (src = Object.freeze({ column: loc.column, file: sourceFile(loc.file), line: loc.line })));
    return src;
  };

  for (const p of app.problems) {
    report({ code: p.code, message: p.message, constructPath: p.constructPath, kind: p.kind, property: p.property, location: resolve(p.frames), hint: p.hint });
  }

  const all = app.node.findAll();
  const clusters = all.filter(Cluster.isCluster).sort((a, b) => cmp(a.node.id, b.node.id));
  if (clusters.length === 0) {
    report({ code: 'synth.no-app', message: 'the program defines no Cluster', hint: "add `new Cluster(app, 'name')` and create resources inside it" });
  }
  // One record per resource rather than a map per fact: synth of a large app spent more
  // time in Map lookups than in building the graph.
  const entries: Entry[] = [];
  const entryOf = new Map<Resource, Entry>();
  // By construct path, for references made with ref()/attributes: built on first use, since
  // most programs pass constructs (entryOf) and hashing every path string is not free.
  let byPath: Map<string, Entry> | undefined;
  const entryAt = (path: string): Entry | undefined => (byPath ??= new Map(entries.map((x) => [x.path, x]))).get(path);
  for (const c of all) {
    if (!isResource(c)) continue;
    const r = c as Resource;
    // node.path joins the scopes on every read: read it once per resource.
    const e: Entry = { r, path: r.node.path, cluster: nearestCluster(r), id: '', loc: undefined };
    entries.push(e);
    entryOf.set(r, e);
  }

  for (const { r, cluster: c } of entries) {
    if (!c) {
      report({ code: 'synth.failed', message: `${r.kind} "${r.node.path}" is not inside a Cluster`, constructPath: r.node.path, kind: r.kind, location: resolve(r.frames), hint: 'create it with a Cluster (or a construct inside one) as its scope' });
    }
  }

  const graphs: GraphJson[] = [];
  for (const cluster of clusters) {
    graphs.push(synthCluster(cluster));
  }

  if (diags.length > 0) {
    diags.sort((a, b) => cmpLoc(a.location, b.location) || a.order - b.order);
    throw new SynthFailure(diags.map(({ order: _o, ...d }) => d));
  }
  return { graphs };

  function synthCluster(cluster: Cluster): GraphJson {
    const clusterPath = cluster.node.path;
    const clusterLoc = resolve(cluster.frames);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(cluster.node.id)) {
      report({ code: 'synth.invalid-id', message: `cluster id "${cluster.node.id}" must be lowercase letters, digits and dashes`, constructPath: clusterPath, kind: 'Cluster', location: clusterLoc, hint: 'Docker object names are derived from it' });
    }
    const cp = ClusterProps.safeParse(cluster.props, { reportInput: true });
    let target: GraphJson['target'] = targetJsonOf(undefined);
    if (!cp.success) {
      reportIssues(cp.error.issues, clusterPath, 'Cluster', clusterLoc, ['target']);
    } else {
      target = targetJsonOf(cp.data.target, clusterLoc ? sourceOf(clusterLoc) : undefined);
    }

    const mine = entries.filter((e) => e.cluster === cluster);
    const perKind = new Map<ResourceKind, number>();
    for (const { r } of mine) perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + 1);
    const seenIds = new Map<string, Resource>();
    for (const e of mine) {
      const r = e.r;
      const rel = e.path.slice(clusterPath.length + 1);
      const id = rel.includes('/') ? rel.split('/').join('-') : rel;
      e.id = id;
      const loc = resolve(r.frames);
      e.loc = loc;
      if (r.node.id.includes('~dup')) continue; // already reported as a duplicate id
      if (!ID_RE.test(r.node.id)) {
        report({ code: 'synth.invalid-id', message: `construct id "${r.node.id}" may hold only letters, digits, "_", "." and "-", and must start with a letter or digit`, constructPath: r.node.path, kind: r.kind, location: loc, hint: 'runtime object names are derived from construct ids' });
        continue;
      }
      const prev = seenIds.get(id);
      if (prev) {
        report({ code: 'synth.duplicate-id', message: `resource id "${id}" is produced by both ${prev.node.path} and ${r.node.path}`, constructPath: r.node.path, kind: r.kind, location: loc, hint: 'rename one of them: ids join the path below the cluster with "-"' });
      }
      seenIds.set(id, r);
    }

    const out: ResourceJson[] = [];
    const published = new Map<number, { path: string; loc: SourceLocation | undefined }>();
    const serviceNames = new Map<string, string>();

    // The resource being converted, for toJson and the reference helpers below. They are
    // made once per cluster rather than once per resource: closures per resource were a
    // large share of what a big synth allocated.
    let r = undefined as unknown as Resource;
    let loc: SourceLocation | undefined;
    let deps: string[] = [];
    // Most resources have a few dependencies (a list is enough); a Set once there are many.
    let depSet: Set<string> | undefined;
    const addDep = (tid: string): void => {
      if (deps.length < 16 ? deps.includes(tid) : (depSet ??= new Set(deps)).has(tid)) return;
      deps.push(tid);
      depSet?.add(tid);
    };
    let refFailed = false;
    // Where toJson is, as keys and indexes; written out (`ports[0].port`) only for a report.
    const at: Array<string | number> = [];
    // zod's output is this resource's own fresh copy of the props, so toJson rewrites it in
    // place: references become `{ $ref, attr }`, strings with tokens `{ $concat }`, and an
    // object whose keys are out of order is rebuilt sorted (the graph is written with
    // JSON.stringify as is, see formatGraph). Copying every object cost more than the parse.
    const toJson = (v: unknown): unknown => {
      if (typeof v === 'string') return v.includes('${berth:') ? concatJson(v) : v;
      if (v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          if (x === null || (typeof x !== 'object' && typeof x !== 'string')) continue;
          at.push(i);
          v[i] = toJson(x);
          at.pop();
        }
        return v;
      }
      // Most objects here are zod's plain output; constructs and references are class instances.
      let sorted = Object.getPrototypeOf(v) === Object.prototype;
      if (!sorted) {
        if (isResource(v)) {
          const target = v as unknown as Resource;
          const te = entryOf.get(target);
          return te ? refEntry(te, DEFAULT_ATTR[target.kind]) : refJson(target.node.path, DEFAULT_ATTR[target.kind]);
        }
        if (isRef(v)) return refJson(v.targetPath, v.attr);
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      for (let i = 1; sorted && i < keys.length; i++) sorted = (keys[i - 1] as string) < (keys[i] as string);
      if (!sorted) keys.sort();
      const out: Record<string, unknown> = sorted ? o : {};
      for (const k of keys) {
        const x = o[k];
        if (x === null || (typeof x !== 'object' && typeof x !== 'string')) {
          if (!sorted) out[k] = x;
          continue;
        }
        at.push(k);
        out[k] = toJson(x);
        at.pop();
      }
      return out;
    };
    const refJson = (targetPath: string, attr: string): unknown => {
      const te = entryAt(targetPath);
      if (!te) {
        refFailed = true;
        const prop = propAt(at);
        report({ code: 'synth.dangling-ref', message: `${prop} refers to "${targetPath}", which is not a resource of this app`, constructPath: r.node.path, kind: r.kind, property: prop, location: loc });
        return null;
      }
      return refEntry(te, attr);
    };
    const refEntry = (te: Entry, attr: string): unknown => {
      const target = te.r;
      const tc = te.cluster;
      if (tc !== cluster) {
        refFailed = true;
        const prop = propAt(at);
        report({ code: 'synth.cross-cluster-ref', message: `${prop} refers to ${target.node.path} in cluster "${tc?.node.id ?? '(none)'}"; a resource can only reference resources of its own cluster ("${cluster.node.id}")`, constructPath: r.node.path, kind: r.kind, property: prop, location: loc, hint: `create a ${target.kind} in cluster "${cluster.node.id}" or pass the value as a literal` });
        return null;
      }
      const tid = te.id;
      if (target !== r) addDep(tid);
      return { $ref: tid, attr };
    };
    const concatJson = (s: string): unknown => {
      const parts: unknown[] = [];
      let last = 0;
      for (const m of s.matchAll(TOKEN_RE)) {
        if (m.index > last) parts.push(s.slice(last, m.index));
        parts.push(refJson(m[1] as string, m[2] as string));
        last = m.index + m[0].length;
      }
      if (last < s.length) parts.push(s.slice(last));
      return { $concat: parts };
    };

    for (const e of mine) {
      r = e.r;
      loc = e.loc;
      const id = e.id;
      if (r.node.id.includes('~dup')) continue;
      const schema = inputSchema(r.kind, perKind.get(r.kind) ?? 0);
      const parsed = schema.safeParse(r.props ?? {}, { reportInput: true });
      if (!parsed.success) {
        reportIssues(parsed.error.issues, r.node.path, r.kind, loc, knownKeys(r.kind));
        continue;
      }
      deps = [];
      depSet = undefined;
      refFailed = false;
      at.length = 0;
      let props = toJson(parsed.data) as Record<string, unknown>;
      for (const d of r.explicitDeps) {
        const de = entryOf.get(d);
        const tid = de?.cluster === cluster ? de.id : undefined;
        if (tid && tid !== id) addDep(tid);
      }
      if (refFailed) continue;

      // Kind-specific checks and inputs read at synth.
      if (r.kind === 'ImageBuild') {
        const h = reader.hashBuildContext(props.context as string, props.dockerfile as string);
        if (!h.ok) {
          const what = h.problem === 'context-missing' ? `build context "${h.path}" does not exist` : `Dockerfile "${h.path}" does not exist`;
          report({ code: 'synth.build-context', message: what, constructPath: r.node.path, kind: r.kind, property: h.problem === 'context-missing' ? 'context' : 'dockerfile', location: loc, hint: 'paths are relative to the directory of cluster.ts' });
          continue;
        }
        props.contentHash = createHash('sha256')
          .update(JSON.stringify([h.hash, props.dockerfile, sortedEntries(props.buildArgs), props.target ?? null]))
          .digest('hex');
        props.contextFiles = h.files;
      }
      if (r.kind === 'Config') {
        let data = props.data as string | undefined;
        if (props.file !== undefined) {
          data = reader.readFile(props.file as string);
          if (data === undefined) {
            report({ code: 'synth.build-context', message: `config file "${String(props.file)}" does not exist`, constructPath: r.node.path, kind: r.kind, property: 'file', location: loc, hint: 'paths are relative to the directory of cluster.ts' });
            continue;
          }
        }
        props.data = data;
        props.sha256 = createHash('sha256').update(data ?? '').digest('hex');
      }
      if (r.kind === 'Service') {
        const name = (props.name as string | undefined) ?? r.node.id.toLowerCase();
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
          report({ code: 'props.invalid', message: `the service name "${name}" (from the construct id) is not a DNS label`, constructPath: r.node.path, kind: r.kind, property: 'name', location: loc, hint: 'set name: to lowercase letters, digits and dashes' });
        }
        const other = serviceNames.get(name);
        if (other) {
          report({ code: 'synth.duplicate-id', message: `service name "${name}" is already used by ${other}`, constructPath: r.node.path, kind: r.kind, property: 'name', location: loc, hint: 'give each Service of a cluster its own name' });
        }
        serviceNames.set(name, e.path);
        props.name = name;
        const ports = props.ports as Array<{ port: number; targetPort?: number; publish?: number }>;
        for (const [i, p] of ports.entries()) {
          if (p.targetPort === undefined) ports[i] = sortedShallow({ ...p, targetPort: p.port });
          if (p.publish === undefined) continue;
          const prev = published.get(p.publish);
          if (prev) {
            const where = prev.loc ? (loc && prev.loc.file === loc.file ? ` (line ${prev.loc.line})` : ` (${fmtLoc(prev.loc)})`) : '';
            report({ code: 'synth.port-conflict', message: `host port ${p.publish} is already published by ${prev.path}${where}`, constructPath: r.node.path, kind: r.kind, property: `ports[${i}].publish`, location: loc, hint: 'publish each host port from one Service only' });
          } else {
            published.set(p.publish, { path: r.node.path, loc });
          }
        }
      }

      // The kind checks above may have added top-level props; the graph keeps keys sorted.
      if (r.kind === 'Service' || r.kind === 'ImageBuild' || r.kind === 'Config') props = sortedShallow(props);
      const dependsOn = deps.length > 1 ? deps.sort() : deps;
      const path = e.path;
      // Literal keys in sorted order, as everything of the graph (formatGraph relies on it).
      const res = (loc ? { dependsOn, id, kind: r.kind, path, props, source: sourceOf(loc) } : { dependsOn, id, kind: r.kind, path, props }) as ResourceJson;
      out.push(res);
    }

    out.sort((a, b) => cmp(a.id, b.id));
    checkCycles(out, (id) => mine.find((m) => m.id === id)?.r);
    const movedOut: Array<{ from: string; to: string }> = [];
    for (const m of movesOf(cluster)) {
      const te = entryOf.get(m.to);
      const to = te?.cluster === cluster ? te.id : undefined;
      const from = m.from.split('/').join('-');
      if (!to) {
        report({ code: 'synth.dangling-ref', message: `moved(): "to" must be a resource of cluster "${cluster.node.id}"`, constructPath: clusterPath, kind: 'Cluster', location: clusterLoc });
      } else if (seenIds.has(from)) {
        report({ code: 'props.invalid', message: `moved(): "${m.from}" still exists in the program; a resource cannot be moved from a path that is still in use`, constructPath: m.to.node.path, kind: m.to.kind, location: resolve(m.to.frames), hint: 'remove the old construct, or drop the moved() declaration' });
      } else {
        movedOut.push({ from, to });
      }
    }
    movedOut.sort((a, b) => cmp(a.from, b.from));
    return { cluster: cluster.node.id, moved: movedOut, resources: out, schemaVersion: GRAPH_SCHEMA_VERSION, target };
  }

  function checkCycles(res: readonly ResourceJson[], find: (id: string) => Resource | undefined): void {
    const deps = new Map(res.map((r) => [r.id, r.dependsOn]));
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const reported = new Set<string>();
    const visit = (id: string): void => {
      state.set(id, 1);
      stack.push(id);
      for (const d of deps.get(id) ?? []) {
        if (!deps.has(d)) continue;
        const s = state.get(d);
        if (s === 1) {
          const cycle = [...stack.slice(stack.indexOf(d)), d];
          const key = [...new Set(cycle)].sort().join(',');
          if (!reported.has(key)) {
            reported.add(key);
            const first = find(d);
            const paths = cycle.map((c) => find(c)?.node.path ?? c);
            report({ code: 'synth.cycle', message: `dependency cycle: ${paths.join(' → ')}`, constructPath: first?.node.path, kind: first?.kind, location: first ? resolve(first.frames) : undefined, hint: 'break the cycle: one of these must not depend on the other' });
          }
        } else if (s === undefined) visit(d);
      }
      stack.pop();
      state.set(id, 2);
    };
    for (const r of res) if (!state.has(r.id)) visit(r.id);
  }

  function reportIssues(issues: readonly z.core.$ZodIssue[], path: string, kind: string, loc: SourceLocation | undefined, known: readonly string[]): void {
    for (const raw of issues) {
      const issue = unwrapIssue(raw);
      const prop = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const full = prop ? `${prop}.${key}` : key;
          const guess = prop === '' ? closest(key, known) : undefined;
          report({ code: 'props.unknown', message: `unknown property "${full}"`, constructPath: path, kind, property: full, location: loc, hint: guess ? `did you mean "${guess}"?` : `remove it; see the ${kind} props in the README` });
        }
        continue;
      }
      let code: ErrorCode = 'props.invalid';
      let message = issue.message;
      let hint: string | undefined;
      if (kind === 'Deployment' || kind === 'Job') {
        if (prop === 'image' && (issue as { input?: unknown }).input === undefined) {
          code = 'synth.missing-image';
          message = `a ${kind} needs an image`;
          hint = 'set image: to an ImageBuild, an Image or an image name such as "busybox:1.36"';
        } else if (prop === 'replicas' && issue.code === 'too_small') {
          message = `must be >= 0, got ${String((issue as { input?: unknown }).input ?? 'a negative number')}`;
          hint = 'use replicas: 0 to stop it, or remove the Deployment';
        }
      }
      if (issue.message.startsWith('not a cpu') || issue.message.startsWith('not a memory') || issue.message.startsWith('not a duration')) code = 'quantity.invalid';
      if (issue.code === 'invalid_type' && code === 'props.invalid') {
        const input = (issue as { input?: unknown }).input;
        message = input === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${describe(input)}`;
      }
      report({ code, message: prop ? `${prop}: ${message}` : message, constructPath: path, kind, property: prop || undefined, location: loc, hint });
    }
  }
}

/**
 * zod reports a value that matched no branch of a union, or a bad record key, as one vague
 * issue wrapping the real ones; we surface the most specific inner issue instead.
 */
function unwrapIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const candidates = issue.errors.map((branch) => branch[0]).filter((x): x is z.core.$ZodIssue => x !== undefined);
    const best = candidates.find((c) => c.code !== 'invalid_type') ?? candidates[0];
    if (best) return unwrapIssue({ ...best, path: [...issue.path, ...best.path] } as z.core.$ZodIssue);
  }
  if (issue.code === 'invalid_key' && issue.issues.length > 0) {
    const inner = issue.issues[0] as z.core.$ZodIssue;
    return { ...inner, path: issue.path } as z.core.$ZodIssue;
  }
  return issue;
}

/** The Cluster nearest above `c` (as Cluster.tryOf, without building the scope list). */
function nearestCluster(c: Construct): Cluster | undefined {
  for (let s: Construct | undefined = c; s; s = s.node.scope) if (Cluster.isCluster(s)) return s;
  return undefined;
}

/** `o` with its own keys in sorted order (values as they are). */
function sortedShallow<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = (o as Record<string, unknown>)[k];
  return out as T;
}

/** A property path as diagnostics write it: `health.interval`, `ports[0].port`. */
function propAt(at: ReadonlyArray<string | number>): string {
  let s = '';
  for (const p of at) s = typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p;
  return s;
}

function knownKeys(kind: ResourceKind): string[] {
  const s = INPUT_SCHEMAS[kind] as unknown as { shape?: Record<string, unknown>; _zod?: { def?: { shape?: Record<string, unknown> } } };
  const shape = s.shape ?? s._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (isResource(v)) return `a ${(v as { kind: string }).kind} construct`;
  return typeof v;
}

function sortedEntries(o: unknown): Array<[string, unknown]> {
  return Object.entries((o ?? {}) as Record<string, unknown>).sort(([a], [b]) => cmp(a, b));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpLoc(a: SourceLocation | undefined, b: SourceLocation | undefined): number {
  if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
  return cmp(a.file, b.file) || a.line - b.line || a.column - b.column;
}

function fmtLoc(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.column}`;
}


