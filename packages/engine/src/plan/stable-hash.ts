/**
 * Canonical JSON (sorted keys, no whitespace) and its sha256: the one way the planner turns
 * data into a hash, so the same input always hashes the same on every machine.
 *
 * Written out by hand rather than as `JSON.stringify(sortKeys(v))`: a no-op diff of a large
 * app hashes every resource, and building a sorted copy of each object first doubled the
 * planner's time and garbage. The output is byte-for-byte what `stableStringify(v, 0)` gives.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return value === undefined ? 'null' : write(value);
}

function write(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    // JSON.stringify handles strings, numbers (NaN → null) and booleans exactly as JSON does.
    return JSON.stringify(v) ?? 'null';
  }
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ',';
      const x: unknown = v[i];
      s += x === undefined ? 'null' : write(x);
    }
    return `${s}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = sortedKeys(o);
  let s = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${write(x)}`;
    first = false;
  }
  return `${s}}`;
}

const INDEX = /^(?:0|[1-9]\d{0,9})$/;

/**
 * Keys in the order a sorted-then-rebuilt object enumerates them: JavaScript lists
 * array-index keys ("0", "12") first in numeric order, whatever the insertion order.
 */
function sortedKeys(o: Record<string, unknown>): string[] {
  const keys = Object.keys(o).sort();
  let hasIndex = false;
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && INDEX.test(k) && Number(k) < 4294967295) {
      hasIndex = true;
      break;
    }
  }
  if (!hasIndex) return keys;
  const isIndex = (k: string): boolean => INDEX.test(k) && Number(k) < 4294967295;
  const idx = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  return [...idx, ...keys.filter((k) => !isIndex(k))];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hashOf(value: unknown): string {
  return sha256(canonicalJson(value));
}

const propsJsonCache = new WeakMap<object, string>();

/** canonicalJson of a resource's props, computed once per props object (the bulk of the work). */
export function propsJson(props: object): string {
  let s = propsJsonCache.get(props);
  if (s === undefined) {
    s = canonicalJson(props);
    propsJsonCache.set(props, s);
  }
  return s;
}
