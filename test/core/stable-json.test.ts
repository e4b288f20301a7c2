import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, stableStringify } from '@berth/core';

/**
 * The definition: JSON.stringify, with every object it writes replaced by a copy whose keys are
 * sorted (array-index keys first, as JavaScript enumerates any object). The hand-written
 * writer must match it byte for byte, for any value JSON.stringify accepts.
 */
function sortedCopy(x: unknown): unknown {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || x instanceof Number || x instanceof String || x instanceof Boolean) return x;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  // defineProperty, so an own "__proto__" key stays a key.
  for (const k of Object.keys(x).sort()) Object.defineProperty(out, k, { value: (x as Record<string, unknown>)[k], enumerable: true });
  return out;
}
const reference = (v: unknown, indent: number): string => JSON.stringify(v, (_k, x: unknown) => sortedCopy(x), indent) ?? 'null';

describe('canonicalJson', () => {
  it('is the compact canonical form: sorted keys, no whitespace, undefined members left out', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: 2 }, undefined], a: { d: null, c: 'x', e: undefined }, 10: 1, 9: 2, '01': 3 })).toBe('{"9":2,"10":1,"01":3,"a":{"c":"x","d":null},"b":[3,{"a":2,"z":1},null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('matches JSON.stringify of sorted copies for any JSON value, "__proto__" keys included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(reference(v, 0));
        const withHoles = { a: v, b: [undefined, v], c: undefined, '10': 1, '9': 2, '01': 3, ['__proto__']: v };
        expect(canonicalJson(withHoles)).toBe(reference(withHoles, 0));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches it for values that are not plain data (toJSON, class instances, boxed values, sparse arrays)', () => {
    const anything = fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withSparseArray: true, withObjectString: true });
    fc.assert(
      fc.property(anything, (v) => {
        expect(canonicalJson(v)).toBe(reference(v, 0));
      }),
      { numRuns: 3000 },
    );
    const ref = { targetPath: 'a/b', attr: 'host', toJSON: () => '${berth:a/b.host}' };
    expect(canonicalJson({ x: ref, f: () => 1, s: Symbol('s'), l: [() => 1] })).toBe('{"l":[null],"x":"${berth:a/b.host}"}');
  });
});

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
