import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@berth/core';
import { jsonEqual } from '../../packages/engine/src/plan/spec-hash.ts';

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
