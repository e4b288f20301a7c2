import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStateQuick, StateJson } from '../../packages/engine/src/state/schema.ts';

const str = fc.string({ maxLength: 6 });
const junk = fc.oneof(fc.constant(null), fc.constant(-1), fc.constant(1.5), str, fc.boolean(), fc.constant([]), fc.constant({}), fc.constant(['x']), fc.constant({ a: 1 }));

const resource = fc.record(
  {
    kind: fc.constantFrom('Deployment', 'Service'),
    path: str,
    specHash: str,
    replicaHash: str,
    props: fc.dictionary(str, fc.jsonValue({ maxDepth: 2 })),
    inputs: fc.dictionary(str, str),
    dependsOn: fc.array(str, { maxLength: 3 }),
    outputs: fc.dictionary(str, fc.jsonValue({ maxDepth: 1 })),
    placements: fc.array(fc.record({ ordinal: fc.nat(5), node: str }), { maxLength: 3 }),
    secretVersions: fc.dictionary(str, str),
  },
  { requiredKeys: ['kind', 'path', 'specHash', 'props'] },
);
const state = fc.record(
  {
    stateVersion: fc.constant(1),
    lineage: fc.string({ minLength: 1, maxLength: 8 }),
    serial: fc.nat(100),
    cluster: str,
    resources: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), resource, { maxKeys: 4 }),
    drained: fc.array(str, { maxLength: 3 }),
  },
  { requiredKeys: ['stateVersion', 'lineage', 'serial', 'cluster', 'resources'] },
);

/** Replaces the value at a random path of `v` with `x` (or deletes it, or adds a stray key). */
function mutate(v: unknown, path: number[], x: unknown, how: number): unknown {
  if (typeof v !== 'object' || v === null) return x;
  const copy: Record<string, unknown> = Array.isArray(v) ? ([...v] as unknown as Record<string, unknown>) : { ...(v as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0 || path.length === 0) {
    if (how === 0 && !Array.isArray(v)) copy.stray = x;
    else if (how === 1 && keys.length > 0) delete copy[keys[0] as string];
    else return x;
    return copy;
  }
  const k = keys[(path[0] as number) % keys.length] as string;
  copy[k] = mutate(copy[k], path.slice(1), x, how);
  return copy;
}

describe('parseStateQuick', () => {
  it('accepts valid states exactly as zod parses them', () => {
    fc.assert(
      fc.property(state, (s) => {
        const viaZod = StateJson.parse(structuredClone(s));
        const quick = parseStateQuick(structuredClone(s));
        expect(quick).toEqual(viaZod);
      }),
      { numRuns: 300 },
    );
  });

  it('is never looser than zod: whatever it accepts, zod accepts the same way', () => {
    fc.assert(
      fc.property(state, fc.array(fc.nat(10), { maxLength: 5 }), junk, fc.nat(2), (s, path, x, how) => {
        const bad = mutate(s, path, x, how);
        const quick = parseStateQuick(structuredClone(bad));
        if (quick !== undefined) {
          const z = StateJson.safeParse(structuredClone(bad));
          expect(z.success).toBe(true);
          expect(quick).toEqual(z.data);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a state with a journal to zod', () => {
    expect(parseStateQuick({ stateVersion: 1, lineage: 'l', serial: 1, cluster: 'c', resources: {}, journal: { startedAt: 't', entries: [] } })).toBeUndefined();
  });
});
