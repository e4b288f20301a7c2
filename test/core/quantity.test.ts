import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cpu, Duration, Memory, tryParseCpu, tryParseDuration, tryParseMemory } from '@berth/core';

describe('cpu quantities (millicores)', () => {
  it.each([
    ['250m', 250],
    ['1000m', 1000],
    ['0m', 0],
    ['0.5', 500],
    ['2', 2000],
    ['1.5m', 2],
    [' 100m ', 100],
    [0.25, 250],
    [2, 2000],
    [0, 0],
  ] as const)('%j is %d millicores', (input, expected) => {
    expect(tryParseCpu(input)).toBe(expected);
  });

  it.each(['', 'm', 'abc', '-1', '-100m', '1M', '1 m', '1e3', '.5', '1.'] as const)('%j is not a cpu quantity', (input) => {
    expect(tryParseCpu(input)).toBeUndefined();
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('%d cores is not a cpu quantity', (input) => {
    expect(tryParseCpu(input)).toBeUndefined();
  });

  it('reads "Nm" as N and whole cores as N × 1000, as string or number', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), (n) => {
        expect(tryParseCpu(`${n}m`)).toBe(n);
        expect(tryParseCpu(String(n))).toBe(n * 1000);
        expect(tryParseCpu(n)).toBe(n * 1000);
      }),
    );
  });

  it('rounds fractional cores to whole millicores the same way for strings and numbers', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100_000 }), (milli) => {
        const cores = milli / 1000;
        expect(tryParseCpu(cores)).toBe(milli);
        expect(tryParseCpu(String(cores))).toBe(milli);
      }),
    );
  });
});

describe('memory quantities (bytes)', () => {
  const SUFFIXES: ReadonlyArray<readonly [string, number]> = [
    ['', 1],
    ['k', 1e3],
    ['K', 1e3],
    ['M', 1e6],
    ['G', 1e9],
    ['T', 1e12],
    ['Ki', 2 ** 10],
    ['Mi', 2 ** 20],
    ['Gi', 2 ** 30],
    ['Ti', 2 ** 40],
  ];

  it.each([
    ['128Mi', 134_217_728],
    ['1Gi', 1_073_741_824],
    ['1G', 1_000_000_000],
    ['64k', 64_000],
    ['1Ki', 1024],
    ['1.5Gi', 1_610_612_736],
    ['512', 512],
    [512, 512],
    [0, 0],
  ] as const)('%j is %d bytes', (input, expected) => {
    expect(tryParseMemory(input)).toBe(expected);
  });

  it.each(['', 'Mi', '1ki', '1mi', '1MB', '1 Mi', '-1Mi', '1Xi', '1E', 'lots'] as const)('%j is not a memory quantity', (input) => {
    expect(tryParseMemory(input)).toBeUndefined();
  });

  it.each([1.5, -1, Number.NaN])('%d is not a number of bytes', (input) => {
    expect(tryParseMemory(input)).toBeUndefined();
  });

  it('multiplies N by each suffix', () => {
    fc.assert(
      fc.property(fc.nat({ max: 4096 }), fc.constantFrom(...SUFFIXES), (n, [suffix, mult]) => {
        expect(tryParseMemory(`${n}${suffix}`)).toBe(n * mult);
      }),
    );
  });

  it('binary suffixes are 1024 times the one below them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        expect(tryParseMemory(`${n}Mi`)).toBe(1024 * (tryParseMemory(`${n}Ki`) as number));
        expect(tryParseMemory(`${n}Gi`)).toBe(1024 * (tryParseMemory(`${n}Mi`) as number));
      }),
    );
  });
});

describe('durations (milliseconds)', () => {
  it.each([
    ['5s', 5000],
    ['250ms', 250],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1h1m1s1ms', 3_661_001],
    ['1.5s', 1500],
    ['0', 0],
    ['0s', 0],
    [1500, 1500],
  ] as const)('%j is %d ms', (input, expected) => {
    expect(tryParseDuration(input)).toBe(expected);
  });

  it.each(['', '5', '1m30', 's', '5 s', '-1s', '1d', '1sec', 'ms5'] as const)('%j is not a duration', (input) => {
    expect(tryParseDuration(input)).toBeUndefined();
  });

  it('a composite is the sum of its parts, in any order', () => {
    const part = fc.tuple(fc.nat({ max: 500 }), fc.constantFrom(['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]) as fc.Arbitrary<readonly [string, number]>);
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.map(([n, [unit]]) => `${n}${unit}`).join('');
        const total = parts.reduce((sum, [n, [, ms]]) => sum + n * ms, 0);
        expect(tryParseDuration(text)).toBe(total);
      }),
    );
  });
});

describe('quantity schemas', () => {
  it('parse to the graph units', () => {
    expect(Cpu.parse('250m')).toBe(250);
    expect(Memory.parse('128Mi')).toBe(134_217_728);
    expect(Duration.parse('1m30s')).toBe(90_000);
  });

  it('say what they expect when the value is not a quantity', () => {
    const messages = [Cpu.safeParse('fast'), Memory.safeParse('12Qi'), Duration.safeParse('soon')].map((r) => r.error?.issues[0]?.message);
    expect(messages).toMatchInlineSnapshot(`
      [
        "not a cpu quantity: "fast"; write cores such as 0.5 or "500m"",
        "not a memory quantity: "12Qi"; write bytes with a suffix such as "128Mi" or "1G"",
        "not a duration: "soon"; write a number with a unit such as "5s", "250ms" or "1m30s"",
      ]
    `);
  });
});

describe('quantities the graph cannot carry exactly', () => {
  it('are refused with their value, not rounded past the safe integer range', () => {
    for (const [schema, v] of [[Cpu, 1e16], [Cpu, '9999999999999999'], [Memory, '99999P'], [Memory, 2 ** 60], [Duration, '999999999999h']] as const) {
      const r = schema.safeParse(v);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/^too large a (cpu quantity|memory quantity|duration): .* is more than 9007199254740991 /);
    }
    expect(Memory.parse(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
