/**
 * Comparing objects as the API returns them (pure): what a server-side apply would change
 * (live → dry-run result), and which fields other field managers own (drift).
 */
import { REDACTED } from './redact.ts';

/** Fields the server sets and a change of which is not a change of the object. */
const SERVER_META = ['managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid', 'selfLink'];
/** Annotations berth and the controllers write per release: not a property change. */
const VOLATILE_ANNOTATIONS = new Set(['berth.release', 'deployment.kubernetes.io/revision']);

export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

function normalize(o: unknown): Record<string, unknown> {
  const c = JSON.parse(JSON.stringify(o ?? {})) as Record<string, unknown>;
  delete c['status'];
  const meta = (c['metadata'] ?? {}) as Record<string, unknown>;
  for (const k of SERVER_META) delete meta[k];
  const ann = meta['annotations'] as Record<string, unknown> | undefined;
  if (ann) {
    for (const k of VOLATILE_ANNOTATIONS) delete ann[k];
    if (Object.keys(ann).length === 0) delete meta['annotations'];
  }
  return c;
}

/** Property-level changes from `before` to `after` (leaves and arrays compared whole); a Secret's values are hidden. */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const a = normalize(before);
  const b = normalize(after);
  const secret = b['kind'] === 'Secret' || a['kind'] === 'Secret';
  const out: FieldChange[] = [];
  walk(a, b, '');
  return out;

  function walk(x: unknown, y: unknown, path: string): void {
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    if (isObj(x) && isObj(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(x[k], y[k], path === '' ? k : `${path}.${k}`);
      return;
    }
    const hide = secret && /^(data|stringData)(\.|$)/.test(path);
    out.push({ path, ...(x !== undefined ? { before: hide ? REDACTED : x } : {}), ...(y !== undefined ? { after: hide ? REDACTED : y } : {}) });
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly fieldsV1?: unknown;
}

/** Managers that own parts of an object by design (status, the revision annotation). */
const BY_DESIGN = new Set(['kube-controller-manager', 'kube-apiserver']);

/**
 * Fields of the object that managers other than `berth` own, by manager: someone changed it
 * with kubectl edit/scale/apply or another tool. Status and the controller's bookkeeping are
 * not drift. Paths are managedFields keys made readable (`spec.replicas`, `spec.template…`).
 */
export function foreignFields(managedFields: readonly ManagedFieldsEntry[] | undefined, self = 'berth'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of managedFields ?? []) {
    const who = m.manager ?? '(unknown)';
    if (who === self || BY_DESIGN.has(who)) continue;
    const paths: string[] = [];
    collect(m.fieldsV1, '', paths);
    const meaningful = paths.filter((p) => !p.startsWith('status') && p !== 'metadata.annotations.deployment.kubernetes.io/revision');
    if (meaningful.length > 0) out.set(who, [...(out.get(who) ?? []), ...meaningful]);
  }
  return out;
}

function collect(fields: unknown, path: string, out: string[]): void {
  if (!isObj(fields)) return;
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (keys.length === 0) {
    if (path !== '') out.push(path);
    return;
  }
  for (const k of keys) {
    const name = k.startsWith('f:') ? k.slice(2) : k.startsWith('k:') ? `[${k.slice(2)}]` : k.startsWith('v:') ? `[=${k.slice(2)}]` : k;
    collect(fields[k], path === '' ? name : name.startsWith('[') ? `${path}${name}` : `${path}.${name}`, out);
  }
}
