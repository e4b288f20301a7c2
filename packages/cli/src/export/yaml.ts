/**
 * A small YAML writer for the files berth exports (compose): block mappings and sequences,
 * every string double-quoted (JSON's escapes are YAML's), so no value is ever read back as
 * another type (`"no"`, `"1.10"`, `"on"`). Compose interpolates `$` in every string: literal
 * strings are written with `$$`; an {@link Interpolated} string keeps its `${VAR}`.
 */

/** A string compose should interpolate (`${DB_PASSWORD}`), written as is. */
export class Interpolated {
  constructor(readonly text: string) {}
}

export type YamlValue = string | number | boolean | null | Interpolated | readonly YamlValue[] | { readonly [k: string]: YamlValue | undefined };

/** A key written bare: it starts with a letter or `_`, so YAML cannot read it as a number. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

function scalar(v: string | number | boolean | null | Interpolated): string {
  if (v instanceof Interpolated) return JSON.stringify(v.text);
  if (typeof v === 'string') return JSON.stringify(v.replace(/\$/g, '$$$$'));
  return v === null ? 'null' : String(v);
}

function key(k: string): string {
  return PLAIN_KEY.test(k) && !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(k) ? k : JSON.stringify(k);
}

function isScalar(v: YamlValue): v is string | number | boolean | null | Interpolated {
  return v === null || typeof v !== 'object' || v instanceof Interpolated;
}

function lines(v: YamlValue, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v as readonly YamlValue[]) {
      if (isScalar(item)) out.push(`${indent}- ${scalar(item)}`);
      else if (isEmpty(item)) out.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}`);
      else {
        const sub: string[] = [];
        lines(item, `${indent}  `, sub);
        // The first line of the item goes after the dash.
        out.push(`${indent}- ${(sub[0] ?? '').trimStart()}`, ...sub.slice(1));
      }
    }
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, YamlValue | undefined>)) {
    if (x === undefined) continue;
    if (isScalar(x)) out.push(`${indent}${key(k)}: ${scalar(x)}`);
    else if (isEmpty(x)) out.push(`${indent}${key(k)}: ${Array.isArray(x) ? '[]' : '{}'}`);
    else {
      out.push(`${indent}${key(k)}:`);
      lines(x, `${indent}  `, out);
    }
  }
}

function isEmpty(v: YamlValue): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.values(v as object).every((x) => x === undefined);
}

/** `doc` as a YAML document (a mapping at the top), with `comments` as `#` lines first. */
export function toYaml(doc: { readonly [k: string]: YamlValue | undefined }, comments: readonly string[] = []): string {
  const out = comments.map((c) => (c === '' ? '#' : `# ${c}`));
  lines(doc, '', out);
  return `${out.join('\n')}\n`;
}
