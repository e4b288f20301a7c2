/**
 * Secret values never leave the object sent to the API: whatever berth prints (diff), stores
 * (state) or reports (errors) goes through here first.
 */
export const REDACTED = '(sensitive)';

/** A copy of `o` with a Secret's data and stringData values replaced. Other objects are returned as they are. */
export function redact<T>(o: T): T {
  const obj = o as { kind?: unknown; data?: unknown; stringData?: unknown };
  if (!obj || obj.kind !== 'Secret') return o;
  const out: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  for (const f of ['data', 'stringData'] as const) {
    const d = obj[f];
    if (d && typeof d === 'object') out[f] = Object.fromEntries(Object.keys(d).map((k) => [k, REDACTED]));
  }
  return out as T;
}

/** Removes every occurrence of the values (and their base64) from a message. */
export function scrub(text: string, secrets: Iterable<string>): string {
  let t = text;
  for (const v of secrets) {
    if (v.length < 4) continue;
    for (const form of [v, Buffer.from(v).toString('base64')]) t = t.split(form).join(REDACTED);
  }
  return t;
}
