/**
 * The planner's hashes: sha256 over core's canonical JSON (the one writer, shared with synth),
 * so the same input always hashes the same on every machine.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@berth/core';

export { canonicalJson };

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
