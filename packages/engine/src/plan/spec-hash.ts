/**
 * Spec hashes. A resource's spec hash covers its resolved props PLUS what it consumes from
 * other resources (an ImageBuild's content hash, a Config's sha256, a Secret's version, a
 * Service's address). So when an image is rebuilt, every Deployment using it gets a new spec
 * hash without anyone listing "derived changes" by hand — and because the consumed values
 * are kept as `inputs` in state, the planner can later say which one moved.
 */
import type { GraphJson, ResourceJson } from '@berth/core';
import type { State } from '../state/schema.ts';
import { topKey } from './rules.ts';
import { canonicalJson, propsJson, sha256 } from './stable-hash.ts';

/** The version used for a secret whose value the CLI could not read and state never saw. */
export const UNKNOWN_SECRET_VERSION = 'unknown';

export interface ResolvedSpec {
  readonly id: string;
  readonly specHash: string;
  /**
   * What a replica runs: the spec hash without the props that never reach a container
   * (`REPLICA_EXCLUDES`), the `berth.spec` label on its containers. Equal to `specHash` for
   * kinds without replicas. A change to only those props keeps the running replicas.
   */
  readonly replicaHash: string;
  /** Non-secret consumed values: `"api-image.image" → "build:<contentHash>"`. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Versions of consumed secrets by Secret id (for a Secret, its own). Sensitive: never put in a plan. */
  readonly secretVersions: Readonly<Record<string, string>>;
  /** Where each consumed `ref.attr` appears in props (`image`, `env.DB_URL`), for property-level output. */
  readonly refPaths: Readonly<Record<string, readonly string[]>>;
}

interface RefLike {
  readonly $ref: string;
  readonly attr: string;
}

function isRefJson(v: unknown): v is RefLike {
  return typeof v === 'object' && v !== null && typeof (v as RefLike).$ref === 'string' && typeof (v as RefLike).attr === 'string';
}

const NO_REFS: readonly ReturnType<typeof refsIn>[number][] = [];

/** Every `{ $ref, attr }` in `props` with the property path it sits at, in path order. */
export function refsIn(props: unknown): { key: string; ref: string; attr: string; path: string }[] {
  const out: { key: string; ref: string; attr: string; path: string }[] = [];
  // Path segments are kept on a stack and joined only when a reference is found: most of a
  // large graph holds none, and building every path string dominated a no-op plan.
  const stack: (string | number)[] = [];
  const pathOf = (): string => {
    let s = '';
    for (const seg of stack) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
    return s;
  };
  const walk = (v: unknown, owner: string | undefined): void => {
    if (typeof v !== 'object' || v === null) return;
    if (isRefJson(v)) {
      out.push({ key: `${v.$ref}.${v.attr}`, ref: v.$ref, attr: v.attr, path: owner ?? pathOf() });
      return;
    }
    // Children that are not objects hold no reference: skipping them before the push and
    // the call matters, since they are most of a graph.
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x !== 'object' || x === null) continue;
        stack.push(i);
        walk(x, owner);
        stack.pop();
      }
      return;
    }
    const o = v as Record<string, unknown>;
    // A `$concat` string is one value to a reader: report the refs inside at the value's path.
    if (Array.isArray(o.$concat)) {
      const at = owner ?? pathOf();
      for (const part of o.$concat) walk(part, at);
      return;
    }
    for (const k in o) {
      const x = o[k];
      if (typeof x !== 'object' || x === null) continue;
      stack.push(k);
      walk(x, owner);
      stack.pop();
    }
  };
  walk(props, undefined);
  // Key order of the input must not matter (a graph read back from JSON may differ).
  if (out.length > 1) out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/**
 * Props of a kind that shape how many replicas run, where, and how they are rolled, but not
 * what runs in one: they are left out of the replica hash, so scaling a Deployment or changing
 * its rollout strategy starts or stops replicas without replacing the others. rules.ts lists
 * exactly these as Deployment's in-place changes (a test holds the two together).
 */
export const REPLICA_EXCLUDES: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['replicas', 'update', 'placement', 'dependsOn'],
};

function replicaHashOf(r: ResourceJson, excludes: readonly string[], inputs: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>, refPaths: Readonly<Record<string, readonly string[]>>): string {
  const props: Record<string, unknown> = { ...(r.props as Record<string, unknown>) };
  for (const k of excludes) delete props[k];
  const outside = (path: string): boolean => excludes.includes(topKey(path));
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) if (!(refPaths[k] ?? []).every(outside)) kept[k] = v;
  return sha256(`{"inputs":${canonicalJson(kept)},"kind":${JSON.stringify(r.kind)},"props":${canonicalJson(props)},"replica":true,"secrets":${canonicalJson(secrets)}}`);
}

/** A Service's in-cluster DNS name: its `name` prop, else its id lower-cased (core's default). */
export function serviceHost(r: Extract<ResourceJson, { kind: 'Service' }>): string {
  return r.props.name ?? r.id.toLowerCase();
}

/**
 * The non-secret value a reference resolves to, as a comparable token; undefined when the
 * attribute carries nothing that would change the consumer (a Volume's name, an id used only
 * for ordering, a Deployment's name: all derived from stable ids).
 */
export function inputToken(target: ResourceJson, attr: string): string | undefined {
  switch (target.kind) {
    case 'ImageBuild':
      return attr === 'image' ? `build:${String((target.props as { contentHash?: string }).contentHash)}` : undefined;
    case 'Image':
      return attr === 'image' ? `image:${target.props.name}` : undefined;
    case 'Config':
      return attr === 'data' ? `sha256:${String((target.props as { sha256?: string }).sha256)}` : undefined;
    case 'Network':
      // A network whose props change is recreated: the containers on it must be recreated too.
      return attr === 'name' ? `network:${target.props.internal ? 'internal' : 'routed'}` : undefined;
    case 'Service': {
      const host = serviceHost(target);
      const port = target.props.ports[0]?.port;
      if (attr === 'host') return host;
      if (attr === 'port') return String(port);
      if (attr === 'address') return `${host}:${String(port)}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Resolves every resource's spec hash. Secret versions come from `given` (what the CLI read
 * now); when a value is not readable the version recorded in state is assumed unchanged —
 * the consumer's own record first, so a consumer is never rolled just because a value is
 * unavailable to `diff`.
 */
export function resolveSpecs(graph: GraphJson, given: Readonly<Record<string, string>> | undefined, state: State | undefined): Map<string, ResolvedSpec> {
  const byId = new Map(graph.resources.map((r) => [r.id, r]));
  const recorded = state?.resources ?? {};
  const out = new Map<string, ResolvedSpec>();
  const secretVersionFor = (secretId: string, consumerId: string, priorConsumerId: string): string =>
    given?.[secretId] ??
    recorded[priorConsumerId]?.secretVersions?.[secretId] ??
    recorded[secretId]?.secretVersions?.[secretId] ??
    UNKNOWN_SECRET_VERSION;
  const priorIdOf = new Map<string, string>();
  for (const m of graph.moved) if (!recorded[m.to] && recorded[m.from]) priorIdOf.set(m.to, m.from);

  for (const r of graph.resources) {
    const prior = priorIdOf.get(r.id) ?? r.id;
    const inputs: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    const refPaths: Record<string, string[]> = {};
    // Native JSON of the props: a quick test for references (most resources hold none, and
    // walking every props object was a third of a no-op plan) and, below, for equality.
    const text = JSON.stringify(r.props);
    for (const ref of text.includes('"$ref"') ? refsIn(r.props) : NO_REFS) {
      const target = byId.get(ref.ref);
      if (!target) continue;
      if (target.kind === 'Secret' && ref.attr === 'value') {
        secrets[ref.ref] = secretVersionFor(ref.ref, r.id, prior);
      } else {
        const token = inputToken(target, ref.attr);
        if (token === undefined) continue;
        inputs[ref.key] = token;
      }
      (refPaths[ref.key] ??= []).push(ref.path);
    }
    if (r.kind === 'Secret') secrets[r.id] = secretVersionFor(r.id, r.id, prior);
    const before = recorded[prior];
    // Unchanged since it was recorded — same kind, same consumed values, deep-equal props
    // (so certainly the same canonical JSON): the recorded hash is the hash. Most resources of
    // a large no-op plan take this path and skip the canonical writer and sha256, which
    // otherwise were most of the planner's time.
    const unchanged =
      before !== undefined &&
      before.kind === r.kind &&
      sameRecord(inputs, before.inputs) &&
      sameRecord(secrets, before.secretVersions) &&
      // Same JSON text is certainly the same value; other text may still be equal in another key order.
      (JSON.stringify(before.props) === text || jsonEqual(before.props, r.props));
    const specHash = unchanged
      ? before.specHash
      : // Exactly canonicalJson({ inputs, kind, props, secrets }), with the props' JSON reused.
        sha256(`{"inputs":${canonicalJson(inputs)},"kind":${JSON.stringify(r.kind)},"props":${propsJson(r.props)},"secrets":${canonicalJson(secrets)}}`);
    const excludes = REPLICA_EXCLUDES[r.kind];
    // Unchanged: the recorded replica hash, or — state written before replica hashes — the
    // spec hash its containers were labelled with.
    const replicaHash = excludes === undefined ? specHash : unchanged ? (before.replicaHash ?? before.specHash) : replicaHashOf(r, excludes, inputs, secrets, refPaths);
    out.set(r.id, { id: r.id, specHash, replicaHash, inputs, secretVersions: secrets, refPaths });
  }
  return out;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a);
  const kb = b === undefined ? [] : Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (b?.[k] !== a[k]) return false;
  return true;
}

/** Deep equality of JSON values, ignoring key order and undefined members (as canonical JSON does). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue;
    n++;
    if (!jsonEqual(v, y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}
