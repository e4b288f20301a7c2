/**
 * One schema definition per kind, instantiated twice:
 *  - `inputKit`: what a user writes in cluster.ts (constructs as references, "128Mi" quantities);
 *  - `graphKit`: what the graph carries (`{ "$ref": id, "attr": name }`, bytes, millicores, ms).
 * Writing each kind once keeps the editor, the validator and the graph from ever disagreeing.
 */
import { z } from 'zod';
import { Cpu, Duration, Memory, tryParseDuration } from '../quantity.ts';
import { isRef, type Ref } from '../refs.ts';
import { isResource, type ResourceLike } from './resource-brand.ts';

type Quantity = z.ZodType<number, string | number>;

/**
 * `R` is what a reference is (a construct, or `{ $ref, attr }`), `V` what an env value is.
 * Factories are generic over the kit, so both the input props and the graph get exact types.
 */
export interface SchemaKit<R = unknown, V = unknown> {
  readonly mode: 'input' | 'graph';
  /** A reference to a construct of one of `kinds` (input) or its `$ref` (graph). */
  ref(kinds: readonly string[], attr: string): z.ZodType<R, R>;
  /** A string that may hold reference tokens (input) or a `$ref`/`$concat` value (graph). */
  readonly value: z.ZodType<V, V | string | number | boolean>;
  readonly cpu: Quantity;
  readonly memory: Quantity;
  readonly duration: Quantity;
  /** A duration that defaults to `d` (e.g. "10s") when omitted. */
  durationDefault(d: string): z.ZodPrefault<Quantity>;
}

/**
 * `z.strictObject` with its shape's keys in sorted order. zod writes what it parses in shape
 * order and the graph lists keys sorted, so a sorted shape spares synth rebuilding every
 * parsed object of every resource. Types and messages are those of `z.strictObject`; issues
 * of one object come in key order.
 */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(shape).sort()) sorted[k] = shape[k];
  return z.strictObject(sorted as S);
}

/** A resolved reference in the graph. */
export const RefJson = z.strictObject({ $ref: z.string(), attr: z.string() });
export type RefJson = z.infer<typeof RefJson>;

/** A string with references interpolated, in the graph: literal parts and references in order. */
export const ConcatJson = z.strictObject({ $concat: z.array(z.union([z.string(), RefJson])) });
export type ConcatJson = z.infer<typeof ConcatJson>;

/** An env or config value in the graph. */
export const ValueJson = z.union([z.string(), RefJson, ConcatJson]);
export type ValueJson = z.infer<typeof ValueJson>;

/** `a Deployment construct`, `an Image or an ImageBuild construct`, `a construct of one of these kinds: …`. */
export function kindList(kinds: readonly string[]): string {
  const a = (k: string): string => `${/^[AEIOU]/.test(k) ? 'an' : 'a'} ${k}`;
  if (kinds.length <= 2) return `${kinds.map(a).join(' or ')} construct`;
  return `a construct of one of these kinds: ${kinds.join(', ')}`;
}

export const inputKit: SchemaKit<ResourceLike, string | Ref<unknown> | ResourceLike> = {
  mode: 'input',
  ref: (kinds) =>
    z.custom<ResourceLike>((v) => isResource(v) && kinds.includes(v.kind), {
      message: `expected ${kindList(kinds)}`,
      // For the diagnostic's hint (synth/issues.ts).
      params: { expectedKinds: kinds },
    }),
  value: z.union([
    z.string(),
    z.number().transform((n) => String(n)),
    z.boolean().transform((b) => String(b)),
    z.custom<Ref<unknown> | ResourceLike>((v) => isRef(v) || (isResource(v) && v.kind === 'Secret'), {
      message: 'expected a string, a number, a reference (such as db.host) or a Secret',
    }),
  ]),
  cpu: Cpu,
  memory: Memory,
  duration: Duration,
  // prefault, not default: zod 4 returns a default as-is, while the string must be parsed.
  durationDefault: (d) => Duration.prefault(d),
};

export const graphKit: SchemaKit<RefJson, ValueJson> = {
  mode: 'graph',
  ref: () => RefJson as unknown as z.ZodType<RefJson, RefJson>,
  value: ValueJson as unknown as z.ZodType<ValueJson, ValueJson | string>,
  cpu: z.number().int().nonnegative() as unknown as Quantity,
  memory: z.number().int().nonnegative() as unknown as Quantity,
  duration: z.number().int().nonnegative() as unknown as Quantity,
  durationDefault: (d) => (z.number().int().nonnegative() as unknown as Quantity).prefault(tryParseDuration(d) ?? 0),
};
