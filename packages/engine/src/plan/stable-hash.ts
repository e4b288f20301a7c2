/**
 * Canonical JSON (sorted keys, no whitespace) and its sha256: the one way the planner turns
 * data into a hash, so the same input always hashes the same on every machine.
 */
import { createHash } from 'node:crypto';
import { stableStringify } from '@berth/core';

export function canonicalJson(value: unknown): string {
  return stableStringify(value, 0);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hashOf(value: unknown): string {
  return sha256(canonicalJson(value));
}
