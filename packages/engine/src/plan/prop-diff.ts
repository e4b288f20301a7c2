/**
 * Property-level differences between the props recorded in state and the props in the graph.
 * References (`{ $ref, attr }`) and `$concat` values are compared whole: a reader thinks of
 * `env.DB_URL` as one value, not as the parts of its template.
 */
import { canonicalJson } from './stable-hash.ts';

export interface RawPropertyChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAtomicObject(v: Record<string, unknown>): boolean {
  return typeof v.$ref === 'string' || Array.isArray(v.$concat);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonicalJson(a) === canonicalJson(b);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Leaf-level changes, sorted by path; `hidden` top-level keys are skipped. */
export function diffProps(before: unknown, after: unknown, hidden: readonly string[] = []): RawPropertyChange[] {
  const out: RawPropertyChange[] = [];
  const walk = (path: string, a: unknown, b: unknown): void => {
    if (same(a, b)) return;
    if (isPlainObject(a) && isPlainObject(b) && !isAtomicObject(a) && !isAtomicObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) {
        if (path === '' && hidden.includes(k)) continue;
        walk(join(path, k), a[k], b[k]);
      }
      return;
    }
    // Same-length arrays are compared element by element (ports[1].containerPort); a list that
    // grew or shrank is shown whole, since positions no longer line up.
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((x, i) => walk(`${path}[${i}]`, x, b[i]));
      return;
    }
    out.push({ path, before: a, after: b });
  };
  walk('', before, after);
  return out;
}
