/** The brand every berth resource construct carries; checked instead of `instanceof`. */
export const RESOURCE = Symbol.for('berth.resource');

export interface ResourceLike {
  readonly kind: string;
  readonly node: { readonly path: string };
}

export function isResource(x: unknown): x is ResourceLike {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[RESOURCE] === true;
}
