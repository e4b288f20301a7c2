import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableStringify } from '@berth/core';

/** The definition: a sorted copy, then JSON.stringify. The shortcuts must match it byte for byte. */
function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortedCopy(v);
    }
    return out;
  }
  return value;
}
const reference = (v: unknown, indent: number): string => JSON.stringify(sortedCopy(v), null, indent);

describe('stableStringify', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(stableStringify({ b: [3, { z: 1, a: 2 }], a: { d: null, c: 'x' } }, 0)).toBe('{"a":{"c":"x","d":null},"b":[3,{"a":2,"z":1}]}');
  });

  it('drops undefined properties and writes empty containers compactly', () => {
    expect(stableStringify({ a: undefined, b: [], c: {} })).toBe('{\n  "b": [],\n  "c": {}\n}');
  });

  it('matches JSON.stringify of a sorted copy for any JSON value and indent', () => {
    fc.assert(
      fc.property(fc.json(), fc.integer({ min: 0, max: 12 }), (text, indent) => {
        const v: unknown = JSON.parse(text);
        expect(stableStringify(v, indent)).toBe(reference(v, indent));
      }),
      { numRuns: 3000 },
    );
  });

  it('matches it for objects whose keys are already sorted, at any depth', () => {
    const sortedJson = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 0 }), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 5 }).map((o) => sortedCopy(o)),
    })).value;
    fc.assert(
      fc.property(sortedJson, (v) => {
        expect(stableStringify(v)).toBe(reference(v, 2));
      }),
      { numRuns: 3000 },
    );
  });

  it('matches it for values that are not plain data (toJSON, class instances, sparse arrays, index keys)', () => {
    const anything = fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withSparseArray: true, withObjectString: true });
    fc.assert(
      fc.property(anything, fc.integer({ min: 0, max: 4 }), (v, indent) => {
        expect(stableStringify(v, indent)).toBe(reference(v, indent));
      }),
      { numRuns: 3000 },
    );
    const ref = { targetPath: 'a/b', attr: 'host', toJSON: () => '${berth:a/b.host}' };
    expect(stableStringify({ x: ref, 2: 'two', 10: 'ten', b: 1 }, 0)).toBe(reference({ x: ref, 2: 'two', 10: 'ten', b: 1 }, 0));
  });
});
