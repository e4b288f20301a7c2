/**
 * Stage 4 of synthesis, per Cluster: references become graph edges. In each resource's validated
 * props, a construct passed whole (`image: build`) or a `ref()` becomes `{ $ref, attr }`, and a
 * string with reference tokens becomes `{ $concat }`; each target is recorded as a dependency.
 * A reference to something that is not a resource of this app, or to another cluster, is
 * reported and the resource synthesized no further.
 */
import { isResource } from '../kinds/resource-brand.ts';
import { isRef, TOKEN_RE } from '../refs.ts';
import type { Cluster } from '../tree/cluster.ts';
import type { Resource, ResourceKind } from '../tree/resource.ts';
import type { Entry } from './collect.ts';
import type { Diagnostics } from './diagnostics.ts';
import { propertyPath } from './issues.ts';

/** The attribute a construct stands for when passed whole (`image: build`). */
export const DEFAULT_ATTR: Record<ResourceKind, string> = {
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

/**
 * One per cluster, reused for each of its resources: closures per resource were a large share
 * of what a big synth allocated.
 */
export class ReferenceRewriter {
  /** By construct path, for ref()/attributes: built on first use (most programs pass constructs). */
  private byPath: Map<string, Entry> | undefined;
  /** The resource being rewritten. */
  private e: Entry | undefined;
  /** Most resources have a few dependencies (a list is enough); a Set once there are many. */
  private depSet: Set<string> | undefined;
  private failed = false;
  /** Where rewrite is, as keys and indexes; written out (`ports[0].port`) only for a report. */
  private readonly at: Array<string | number> = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly entries: readonly Entry[],
    private readonly entryOf: ReadonlyMap<Resource, Entry>,
    private readonly diags: Diagnostics,
  ) {}

  /** Rewrites `e.props` and fills `e.deps`; clears `e.props` when a reference is bad. */
  rewrite(e: Entry): void {
    if (!e.props) return;
    this.e = e;
    this.depSet = undefined;
    this.failed = false;
    this.at.length = 0;
    const props = this.toJson(e.props) as Record<string, unknown>;
    e.props = this.failed ? undefined : props;
  }

  private addDep(e: Entry, tid: string): void {
    const deps = e.deps;
    if (deps.length < 16 ? deps.includes(tid) : (this.depSet ??= new Set(deps)).has(tid)) return;
    deps.push(tid);
    this.depSet?.add(tid);
  }

  /**
   * zod's output is this resource's own fresh copy of the props, so it is rewritten in place,
   * and an object whose keys are out of order is rebuilt sorted (the graph is written with
   * JSON.stringify as is, see formatGraph). Copying every object cost more than the parse.
   */
  private toJson(v: unknown): unknown {
    if (typeof v === 'string') return v.includes('${berth:') ? this.concatJson(v) : v;
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === null || (typeof x !== 'object' && typeof x !== 'string')) continue;
        this.at.push(i);
        v[i] = this.toJson(x);
        this.at.pop();
      }
      return v;
    }
    // Most objects here are zod's plain output; constructs and references are class instances.
    let sorted = Object.getPrototypeOf(v) === Object.prototype;
    if (!sorted) {
      if (isResource(v)) {
        const target = v as unknown as Resource;
        const te = this.entryOf.get(target);
        return te ? this.refEntry(te, DEFAULT_ATTR[target.kind]) : this.refJson(target.node.path, DEFAULT_ATTR[target.kind]);
      }
      if (isRef(v)) return this.refJson(v.targetPath, v.attr);
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
      this.at.push(k);
      out[k] = this.toJson(x);
      this.at.pop();
    }
    return out;
  }

  private refJson(targetPath: string, attr: string): unknown {
    const te = (this.byPath ??= new Map(this.entries.map((x) => [x.path, x]))).get(targetPath);
    if (!te) {
      const e = this.e as Entry;
      this.failed = true;
      const prop = propertyPath(this.at);
      this.diags.report({ code: 'synth.dangling-ref', message: `${prop} refers to "${targetPath}", which is not a resource of this app`, constructPath: e.path, kind: e.r.kind, property: prop, location: e.loc });
      return null;
    }
    return this.refEntry(te, attr);
  }

  private refEntry(te: Entry, attr: string): unknown {
    const e = this.e as Entry;
    const target = te.r;
    const cluster = this.cluster;
    if (te.cluster !== cluster) {
      this.failed = true;
      const prop = propertyPath(this.at);
      this.diags.report({ code: 'synth.cross-cluster-ref', message: `${prop} refers to ${target.node.path} in cluster "${te.cluster?.node.id ?? '(none)'}"; a resource can only reference resources of its own cluster ("${cluster.node.id}")`, constructPath: e.path, kind: e.r.kind, property: prop, location: e.loc, hint: `create a ${target.kind} in cluster "${cluster.node.id}" or pass the value as a literal` });
      return null;
    }
    if (target !== e.r) this.addDep(e, te.id);
    return { $ref: te.id, attr };
  }

  private concatJson(s: string): unknown {
    const parts: unknown[] = [];
    let last = 0;
    for (const m of s.matchAll(TOKEN_RE)) {
      if (m.index > last) parts.push(s.slice(last, m.index));
      parts.push(this.refJson(m[1] as string, m[2] as string));
      last = m.index + m[0].length;
    }
    if (last < s.length) parts.push(s.slice(last));
    return { $concat: parts };
  }
}
