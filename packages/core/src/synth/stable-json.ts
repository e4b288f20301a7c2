/**
 * berth's one canonical JSON writer, shared by synth and the engine's planner (spec hashes,
 * property diffs): what `JSON.stringify` writes, with the keys of every object in sorted order
 * (array-index keys first, numerically, as JavaScript enumerates them), so the same data always
 * gives the same bytes and the same hash on every machine. Arrays keep their order; synth sorts
 * the ones whose order carries no meaning.
 *
 * Written out by hand rather than as `JSON.stringify` of a sorted copy: a no-op diff of a large
 * app hashes every resource, and building a sorted copy of each object first doubled the
 * planner's time and garbage.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '') ?? 'null';
}

/**
 * canonicalJson, indented by `indent` spaces (0: compact, the canonical bytes themselves).
 * @default indent 2
 */
export function stableStringify(value: unknown, indent = 2): string {
  const compact = canonicalJson(value);
  // JSON.parse rebuilds the objects in the text's (sorted) key order, own "__proto__" keys included.
  return indent === 0 ? compact : JSON.stringify(JSON.parse(compact), null, indent);
}

/** One value as JSON.stringify writes it (undefined where it would leave a member out). */
function write(value: unknown, key: string | number): string | undefined {
  if (value === null || typeof value !== 'object') {
    // Strings, numbers (NaN → null) and booleans exactly as JSON does; undefined, functions and
    // symbols give undefined (a member left out, null in an array).
    return JSON.stringify(value);
  }
  const v: object = value;
  const proto: unknown = Object.getPrototypeOf(v);
  // Plain objects (all the planner hashes) skip the toJSON lookup: one they own is met as a key below.
  if (proto !== Object.prototype && proto !== null) {
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      // An array element's key is its index as a string, as JSON.stringify passes it.
      return write((v as { toJSON(k: string): unknown }).toJSON(String(key)), key);
    }
    if (Array.isArray(v)) {
      let s = '[';
      for (let i = 0; i < v.length; i++) {
        if (i > 0) s += ',';
        s += write(v[i], i) ?? 'null';
      }
      return `${s}]`;
    }
    // Boxed primitives (new Number(1)) are written as their value, as JSON.stringify does.
    if (v instanceof Number || v instanceof String || v instanceof Boolean) return JSON.stringify(v);
  }
  const o = v as Record<string, unknown>;
  let s = '{';
  let first = true;
  for (const k of sortedKeys(o)) {
    const x = o[k];
    if (k === 'toJSON' && typeof x === 'function') return write((x as (k: string) => unknown).call(o, String(key)), key);
    const w = write(x, k);
    if (w === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${w}`;
    first = false;
  }
  return `${s}}`;
}

const INDEX = /^(?:0|[1-9]\d{0,9})$/;
const isIndex = (k: string): boolean => INDEX.test(k) && Number(k) < 4294967295;

/**
 * Keys in the order a sorted-then-rebuilt object enumerates them: JavaScript lists
 * array-index keys ("0", "12") first in numeric order, whatever the insertion order.
 */
function sortedKeys(o: Record<string, unknown>): string[] {
  const keys = Object.keys(o).sort();
  let hasIndex = false;
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && isIndex(k)) {
      hasIndex = true;
      break;
    }
  }
  if (!hasIndex) return keys;
  const idx = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  return [...idx, ...keys.filter((k) => !isIndex(k))];
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
