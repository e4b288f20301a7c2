import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableStringify } from '@berth/core';
import { canonicalJson } from '../../packages/engine/src/plan/stable-hash.ts';

describe('canonicalJson', () => {
  it('is byte for byte what stableStringify(v, 0) writes, so spec hashes never shift', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(stableStringify(v, 0));
        const withHoles = { a: v, b: [undefined, v], c: undefined, '10': 1, '9': 2, '01': 3 };
        expect(canonicalJson(withHoles)).toBe(stableStringify(withHoles, 0));
      }),
      { numRuns: 1000 },
    );
  });
});
