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

/**
 * A class, not an object literal: synth tells references from the plain objects of props by
 * their prototype alone (see synthesize's toJson), which is cheaper than a symbol lookup on
 * every object of every props.
 */
class RefValue {
  declare readonly [REF]: true;
  constructor(
    readonly targetPath: string,
    readonly attr: string,
  ) {}
  toString(): string {
    return refToken(this.targetPath, this.attr);
  }
  toJSON(): string {
    return refToken(this.targetPath, this.attr);
  }
}
Object.defineProperty(RefValue.prototype, REF, { value: true });

export function makeRef<T = string>(targetPath: string, attr: string): Ref<T> {
  return new RefValue(targetPath, attr) as unknown as Ref<T>;
}
