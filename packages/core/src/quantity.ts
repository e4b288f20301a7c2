/**
 * Quantities as Kubernetes writes them, parsed to the units the graph carries:
 * cpu in millicores, memory in bytes, durations in milliseconds.
 */
import { z } from 'zod';

const MEMORY_SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50,
};

/** Parses "250m", "0.5", 2 into millicores; undefined when not a cpu quantity. */
export function tryParseCpu(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'm' ? Math.round(n) : Math.round(n * 1000);
}

/** Parses "128Mi", "1G", "512" (bytes) into bytes; undefined when not a memory quantity. */
export function tryParseMemory(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = /^(\d+(?:\.\d+)?)([kKMGTP]i?|)$/.exec(v.trim());
  if (!m || m[2] === 'ki') return undefined;
  const mult = MEMORY_SUFFIX[m[2] ?? ''];
  if (mult === undefined) return undefined;
  return Math.round(Number(m[1]) * mult);
}

const DURATION_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "5s", "1m30s", "250ms" into milliseconds; undefined when not a duration. */
export function tryParseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  const s = v.trim();
  if (s === '' || s === '0') return s === '0' ? 0 : undefined;
  let total = 0;
  let rest = s;
  const re = /^(\d+(?:\.\d+)?)(ms|s|m|h)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (DURATION_UNIT[m[2] as string] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** What a quantity's issue carries, so synth tells it from other issues without reading its words. */
export interface QuantityIssueParams {
  readonly quantity: 'invalid' | 'too-large';
}

/**
 * A parsed quantity the graph can carry exactly: an integer JSON number within the safe range.
 * Larger ones (`1e30`, "9999999999999P") are reported rather than rounded into a graph that
 * its own schema would refuse.
 */
function tooLarge(n: number, v: string | number, what: string, unit: string, ctx: { addIssue(i: { code: 'custom'; message: string; params: QuantityIssueParams }): void }): boolean {
  if (n <= Number.MAX_SAFE_INTEGER) return false;
  ctx.addIssue({ code: 'custom', message: `too large a ${what}: ${JSON.stringify(v)} is more than ${Number.MAX_SAFE_INTEGER} ${unit}`, params: { quantity: 'too-large' } });
  return true;
}

/** cpu: `"250m"`, `"0.5"` or `0.5` (cores). Parsed to millicores. */
export const Cpu = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = tryParseCpu(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a cpu quantity: ${JSON.stringify(v)}; write cores such as 0.5 or "500m"`, params: { quantity: 'invalid' } });
    return z.NEVER;
  }
  return tooLarge(n, v, 'cpu quantity', 'millicores', ctx) ? z.NEVER : n;
});

/** memory: `"128Mi"`, `"1G"`, or a number of bytes. Parsed to bytes. */
export const Memory = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = tryParseMemory(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a memory quantity: ${JSON.stringify(v)}; write bytes with a suffix such as "128Mi" or "1G"`, params: { quantity: 'invalid' } });
    return z.NEVER;
  }
  return tooLarge(n, v, 'memory quantity', 'bytes', ctx) ? z.NEVER : n;
});

/** A duration: `"5s"`, `"1m30s"`, `"250ms"`, or milliseconds. Parsed to milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = tryParseDuration(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)}; write a number with a unit such as "5s", "250ms" or "1m30s"`, params: { quantity: 'invalid' } });
    return z.NEVER;
  }
  return tooLarge(n, v, 'duration', 'milliseconds', ctx) ? z.NEVER : n;
});
