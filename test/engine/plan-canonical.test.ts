import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableStringify } from '@berth/core';
import { canonicalJson } from '../../packages/engine/src/plan/stable-hash.ts';
import { jsonEqual } from '../../packages/engine/src/plan/spec-hash.ts';

describe('canonicalJson', () => {
  it('is byte for byte what stableStringify(v, 0) writes, so spec hashes never shift', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        // stableStringify rebuilds objects by assignment, which turns an own "__proto__" key
        // into a prototype; canonicalJson keeps it. Graph keys never are "__proto__".
        fc.pre(!JSON.stringify(v).includes('"__proto__"'));
        expect(canonicalJson(v)).toBe(stableStringify(v, 0));
        const withHoles = { a: v, b: [undefined, v], c: undefined, '10': 1, '9': 2, '01': 3 };
        expect(canonicalJson(withHoles)).toBe(stableStringify(withHoles, 0));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('jsonEqual', () => {
  it('agrees with canonical JSON equality', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.boolean(), (a, b, same) => {
        const y = same ? JSON.parse(JSON.stringify(a)) : b;
        expect(jsonEqual(a, y)).toBe(canonicalJson(a) === canonicalJson(y));
      }),
      { numRuns: 2000 },
    );
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});
