/**
 * JSON with object keys sorted at every level, so the same program always gives the same
 * bytes (arrays keep their order; synth sorts the ones whose order carries no meaning).
 */
export function stableStringify(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

/**
 * A copy of `value` whose objects list their keys in sorted order (undefined properties
 * dropped). Parts that already are so (plain objects whose keys were inserted sorted, as synth
 * builds them) are returned as they are, which spares copying a large graph before
 * JSON.stringify walks it.
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i];
      const y = sortKeys(x);
      if (y !== x && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(y);
    }
    // map() keeps holes, which JSON.stringify writes as null, like the copy's undefined.
    return out ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (isSortedPlain(value, keys)) {
      let out: Record<string, unknown> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = (value as Record<string, unknown>)[k];
        const w = sortKeys(v);
        if (w !== v && out === undefined) {
          out = {};
          for (let j = 0; j < i; j++) out[keys[j] as string] = (value as Record<string, unknown>)[keys[j] as string];
        }
        if (out !== undefined) out[k] = w;
      }
      return out ?? value;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys.sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * Whether JSON.stringify would write `value` exactly as its sorted copy: a plain object whose
 * keys come in sorted order, with no undefined values, no toJSON and no `__proto__` key (array
 * index keys always come first and numerically, so they show up as unsorted here).
 */
function isSortedPlain(value: object, keys: readonly string[]): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  let prev: string | undefined;
  for (const k of keys) {
    if ((prev !== undefined && !(prev < k)) || k === 'toJSON' || k === '__proto__') return false;
    if ((value as Record<string, unknown>)[k] === undefined) return false;
    prev = k;
  }
  return true;
}

/**
 * The bytes of a `<cluster>.graph.json` file: the graph's fields one per line, and each
 * resource on a line of its own as compact canonical JSON — line-oriented, so a change to one
 * resource is a one-line change in version control, and written with the engine's fastest
 * serializer (a pretty-printed 10 000-resource graph was 12 MB and took twice as long).
 *
 * `graph` must be as {@link synthesize} returns it: every object lists its keys in sorted
 * order by construction, so JSON.stringify writes the canonical form without a sorted copy.
 */
export function formatGraph(graph: object): string {
  let s = '';
  for (const chunk of graphChunks(graph)) s += chunk;
  return s;
}

/**
 * formatGraph's text in pieces of at most `batch` resources, for writing a large graph as it
 * is made: no one string of the whole file, and each piece is garbage before the next.
 */
export function* graphChunks(graph: object, batch = 500): Generator<string> {
  const g = graph as Record<string, unknown>;
  const keys = Object.keys(g)
    .filter((k) => g[k] !== undefined)
    .sort();
  yield '{\n';
  for (const [i, k] of keys.entries()) {
    const v = g[k];
    const end = i === keys.length - 1 ? '\n' : ',\n';
    if (k === 'resources' && Array.isArray(v) && v.length > 0) {
      yield '  "resources": [\n';
      for (let from = 0; from < v.length; from += batch) {
        let s = '';
        const to = Math.min(v.length, from + batch);
        for (let j = from; j < to; j++) s += `    ${JSON.stringify(v[j])}${j === v.length - 1 ? '\n' : ',\n'}`;
        yield s;
      }
      yield `  ]${end}`;
    } else {
      yield `  ${JSON.stringify(k)}: ${JSON.stringify(v)}${end}`;
    }
  }
  yield '}\n';
}
