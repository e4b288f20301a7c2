/**
 * References: passing one construct's attribute to another (`env: { DB_HOST: db.host }`)
 * becomes a graph edge and a placeholder resolved at deploy time. In string templates a
 * reference renders as a token (`${berth:shop/db.host}`) that synth turns back into parts.
 */
const REF = Symbol.for('berth.ref');

/** A typed placeholder for an attribute of a resource, resolved at deploy time. */
export interface Ref<T = string> {
  readonly [REF]: true;
  /** The construct path of the target resource (e.g. `shop/db`). */
  readonly targetPath: string;
  /** The attribute, e.g. `host`, `port`, `image`. */
  readonly attr: string;
  /** Phantom: the type the placeholder stands for. */
  readonly __type?: T;
  toString(): string;
  toJSON(): string;
}

export function isRef(x: unknown): x is Ref<unknown> {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[REF] === true;
}

/** The token a reference becomes when it is interpolated into a string. */
export function refToken(targetPath: string, attr: string): string {
  return `\${berth:${targetPath}.${attr}}`;
}

export const TOKEN_RE = /\$\{berth:([^}]+)\.([A-Za-z][A-Za-z0-9]*)\}/g;

export function makeRef<T = string>(targetPath: string, attr: string): Ref<T> {
  const token = refToken(targetPath, attr);
  return {
    [REF]: true,
    targetPath,
    attr,
    toString: () => token,
    toJSON: () => token,
  } as Ref<T>;
}
