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
const entry = fc.record(
  {
    id: str,
    action: fc.constantFrom('create', 'update', 'delete'),
    status: fc.constantFrom('started', 'done', 'failed'),
    at: str,
    kind: str,
    specHash: str,
    creates: fc.array(str, { maxLength: 3 }),
    message: str,
  },
  { requiredKeys: ['id', 'action', 'status', 'at'] },
);
const journal = fc.record(
  { planGraphHash: str, release: str, startedAt: str, entries: fc.array(entry, { maxLength: 4 }) },
  { requiredKeys: ['startedAt', 'entries'] },
);
const release = fc.record(
  {
    number: fc.integer({ min: 1, max: 50 }),
    at: str,
    endedAt: str,
    by: str,
    git: str,
    kind: fc.constantFrom('deploy', 'rollback'),
    rollbackOf: fc.integer({ min: 1, max: 50 }),
    graphHash: str,
    summary: str,
    changes: fc.array(fc.record({ id: str, kind: str, action: str }), { maxLength: 2 }),
    images: fc.dictionary(str, str, { maxKeys: 2 }),
    configs: fc.dictionary(str, str, { maxKeys: 2 }),
    secrets: fc.dictionary(str, str, { maxKeys: 2 }),
    result: fc.constantFrom('running', 'ok', 'failed', 'interrupted'),
    reason: str,
    rolledBack: fc.boolean(),
    rolledBackBy: fc.integer({ min: 1, max: 50 }),
    imagesRemoved: fc.boolean(),
  },
  { requiredKeys: ['number', 'at', 'by', 'kind', 'graphHash', 'summary', 'changes', 'images', 'configs', 'secrets', 'result'] },
);
const state = fc.record(
  {
    stateVersion: fc.constantFrom(1, 2, 3),
    lineage: fc.string({ minLength: 1, maxLength: 8 }),
    serial: fc.nat(100),
    cluster: str,
    resources: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), resource, { maxKeys: 4 }),
    drained: fc.array(str, { maxLength: 3 }),
    journal,
    releases: fc.array(release, { maxLength: 2 }),
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

  it('reads a journal itself (a deploy leaves one in state), and leaves an unknown entry key or status to zod', () => {
    const ok = { stateVersion: 2, lineage: 'l', serial: 1, cluster: 'c', resources: {}, journal: { startedAt: 't', entries: [{ id: 'a', action: 'create', status: 'done', at: 't', creates: ['replica a#0'] }] } };
    expect(parseStateQuick(structuredClone(ok))).toEqual(ok);
    const stray = structuredClone(ok);
    (stray.journal.entries[0] as Record<string, unknown>).extra = 1;
    expect(parseStateQuick(stray)).toBeUndefined();
    const status = structuredClone(ok);
    status.journal.entries[0]!.status = 'half';
    expect(parseStateQuick(status)).toBeUndefined();
  });

  it('refuses a state version it does not know', () => {
    expect(parseStateQuick({ stateVersion: 4, lineage: 'l', serial: 1, cluster: 'c', resources: {} })).toBeUndefined();
    expect(StateJson.safeParse({ stateVersion: 4, lineage: 'l', serial: 1, cluster: 'c', resources: {} }).success).toBe(false);
  });
});
