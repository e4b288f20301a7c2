/**
 * Props for the synth fuzz tests, generated from the kinds' own zod schemas (so a new prop is
 * fuzzed without touching the tests) and then mutated: wrong types, out-of-range numbers,
 * unknown keys, deep nesting and cycles. References are symbols here ({@link PoolRef}) and
 * become real constructs of a per-run pool when the program is built.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { RESOURCE_KINDS, type ResourceKind } from '@berth/core';

/** A construct of the pool, by kind; `attr` makes it a reference to one of its attributes. */
export interface PoolRef {
  readonly $pool: ResourceKind;
  readonly attr?: string;
}
export const isPoolRef = (v: unknown): v is PoolRef => typeof v === 'object' && v !== null && '$pool' in v;

/** Attributes each pool construct has, for `${berth:…}` values and refs. */
export const POOL_ATTRS: Partial<Record<ResourceKind, string>> = { Service: 'host', Deployment: 'name', Volume: 'name', Config: 'data' };

interface Def {
  readonly type: string;
  readonly [k: string]: unknown;
}
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const checksOf = (d: Def): Array<Record<string, unknown>> => ((d['checks'] as Array<{ _zod: { def: Record<string, unknown> } }> | undefined) ?? []).map((c) => c._zod.def);

/** Mostly valid values for `schema` (the input side: what a program writes). */
export function arbFor(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  switch (d.type) {
    case 'object': {
      const shape = d['shape'] as Record<string, unknown>;
      const entries = Object.entries(shape).map(([k, s]) => {
        const inner = defOf(s);
        const optional = inner.type === 'optional' || inner.type === 'default' || inner.type === 'prefault';
        return [k, optional ? fc.option(arbFor(s, depth + 1), { nil: undefined, freq: 2 }) : arbFor(s, depth + 1)] as const;
      });
      return fc.tuple(...entries.map(([k, a]) => a.map((v) => [k, v] as const))).map((kvs) => Object.fromEntries(kvs.filter(([, v]) => v !== undefined)));
    }
    case 'string': {
      const checks = checksOf(d);
      const fmt = checks.find((c) => c['check'] === 'string_format');
      if (fmt?.['format'] === 'starts_with') return fc.string({ maxLength: 8 }).map((s) => `${String(fmt['prefix'])}${s}`);
      if (fmt?.['format'] === 'regex' && fmt['pattern'] instanceof RegExp) return fc.stringMatching(fmt['pattern'] as RegExp, { maxLength: 12 });
      const min = checks.find((c) => c['check'] === 'min_length')?.['minimum'];
      return fc.string({ minLength: typeof min === 'number' ? min : 0, maxLength: 12 });
    }
    case 'number': {
      const checks = checksOf(d);
      const min = checks.find((c) => c['check'] === 'greater_than')?.['value'] as number | undefined;
      const max = checks.find((c) => c['check'] === 'less_than')?.['value'] as number | undefined;
      if (checks.some((c) => c['format'] === 'safeint')) return fc.integer({ min: min ?? -5, max: max ?? 100_000 });
      return fc.double({ min: min ?? -5, max: max ?? 100_000, noNaN: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(d['entries'] as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(d['values'] as unknown[]));
    case 'array': {
      const min = checksOf(d).find((c) => c['check'] === 'min_length')?.['minimum'] as number | undefined;
      return fc.array(arbFor(d['element'], depth + 1), { minLength: min ?? 0, maxLength: depth > 3 ? 1 : 3 });
    }
    case 'record':
      return fc.dictionary(arbFor(d['keyType'], depth + 1) as fc.Arbitrary<string>, arbFor(d['valueType'], depth + 1), { maxKeys: 3 });
    case 'union':
      return fc.oneof(...(d['options'] as unknown[]).map((o) => arbFor(o, depth + 1)));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return arbFor(d['innerType'], depth);
    case 'pipe':
      return arbFor(d['in'], depth);
    case 'custom': {
      const kinds = (d['params'] as { expectedKinds?: ResourceKind[] } | undefined)?.expectedKinds;
      // A reference to a construct of an expected kind; else (env values) a reference to an attribute or a Secret.
      if (kinds) return fc.constantFrom(...kinds).map((k): PoolRef => ({ $pool: k }));
      return fc.oneof(fc.constant<PoolRef>({ $pool: 'Secret' }), fc.constantFrom(...(Object.keys(POOL_ATTRS) as ResourceKind[])).map((k): PoolRef => ({ $pool: k, attr: POOL_ATTRS[k] as string })));
    }
    case 'transform':
      return fc.constant(undefined);
    default:
      return fc.anything({ maxDepth: 1 });
  }
}

/** Something of the wrong type, or out of range, for any slot. */
const wrong: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(-1, 0, 1.5, -0, 65536, 1e12, -1e12, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2),
  fc.constantFrom('', ' ', '-1', '1e999', 'lots', '${berth:nowhere.host}', '\u0000', 'x'.repeat(300)),
  fc.constantFrom(true, false, null, undefined),
  fc.constantFrom([], [null], {}, { '': 1 }),
  fc.constantFrom<ResourceKind>(...RESOURCE_KINDS).map((k): PoolRef => ({ $pool: k })),
  fc.anything({ maxDepth: 2 }),
);

/** An object or array nested `n` deep. */
function nested(n: number, leaf: unknown, asArray: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < n; i++) v = asArray ? [v] : { deep: v };
  return v;
}

type Mutation = { readonly at: number; readonly how: 'wrong' | 'unknown-key' | 'deep' | 'cycle' | 'drop'; readonly value: unknown; readonly key: string; readonly depth: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  how: fc.constantFrom('wrong', 'wrong', 'unknown-key', 'deep', 'cycle', 'drop'),
  value: wrong,
  key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'toJSON', 'replica', 'imag', 'Image')),
  depth: fc.integer({ min: 2, max: 400 }),
});

/** Every object or array slot of `v` with its parent, in a stable order. */
function slots(v: unknown, out: Array<{ parent: Record<string | number, unknown>; key: string | number }> = [], seen = new Set<object>()): typeof out {
  if (v === null || typeof v !== 'object' || isPoolRef(v) || seen.has(v) || out.length > 200) return out;
  seen.add(v);
  for (const k of Object.keys(v)) {
    out.push({ parent: v as Record<string, unknown>, key: Array.isArray(v) ? Number(k) : k });
    slots((v as Record<string, unknown>)[k], out, seen);
  }
  return out;
}

function mutate(props: Record<string, unknown>, ms: readonly Mutation[]): Record<string, unknown> {
  for (const m of ms) {
    const all = slots(props);
    const target = all.length === 0 || m.how === 'unknown-key' ? { parent: props as Record<string | number, unknown>, key: '' } : (all[m.at % all.length] as (typeof all)[number]);
    const { parent, key } = target;
    if (m.how === 'wrong') parent[key] = m.value;
    else if (m.how === 'drop') delete parent[key];
    else if (m.how === 'deep') parent[key] = nested(m.depth, m.value, m.depth % 2 === 0);
    else if (m.how === 'cycle') {
      const o: Record<string, unknown> = { a: 1 };
      o['self'] = o;
      parent[key] = o;
    } else {
      // An unknown key on some object of the props (the top level or one below).
      const objs = [props, ...all.map((s) => s.parent[s.key]).filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !isPoolRef(x))];
      const obj = objs[m.at % objs.length] as Record<string, unknown>;
      Object.defineProperty(obj, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    }
  }
  return props;
}

/** Props of `kind`: valid per its schema, then 0–3 mutations. */
export function propsArb(schema: unknown): fc.Arbitrary<{ props: Record<string, unknown>; mutations: number }> {
  return fc
    .tuple(arbFor(schema) as fc.Arbitrary<Record<string, unknown>>, fc.array(mutation, { maxLength: 3 }))
    .map(([props, ms]) => ({ props: mutate(structuredCloneSafe(props), ms), mutations: ms.length }));
}

/** A copy of generated props (fast-check may reuse values between runs; mutations must not leak). */
function structuredCloneSafe<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x: unknown) => structuredCloneSafe(x)) as T;
  if (isPoolRef(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = structuredCloneSafe((v as Record<string, unknown>)[k]);
  return out as T;
}
