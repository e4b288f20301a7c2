/**
 * Just enough of a TypeScript scanner to find things in the program's own source that a stack
 * frame cannot point at: the line of a property inside the props object of a `new X(…)` call
 * (`ports[0].containerPort`), and the `export default` statement. It skips strings, template
 * literals, comments and regular expressions, and reads object and array literals; anything else
 * is an expression it steps over. When the source is not of that shape (props built elsewhere,
 * a spread), it finds nothing and the caller keeps the location it had.
 */

/** A literal value in the source: where it starts, and its members when it is an object or array. */
export type Literal =
  | { readonly type: 'object'; readonly start: number; readonly members: ReadonlyMap<string, { readonly key: number; readonly value: Literal }> }
  | { readonly type: 'array'; readonly start: number; readonly elements: readonly Literal[] }
  | { readonly type: 'other'; readonly start: number };

export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** The offset of a 1-based line and column, or undefined past the end. */
  offsetOf(line: number, column: number): number | undefined {
    const start = this.lineStarts[line - 1];
    return start === undefined ? undefined : start + column - 1;
  }

  /** The 1-based line and column of an offset. */
  positionOf(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] as number) + 1 };
  }

  /**
   * At `offset`, a call `new Callee(a, b, …)` or `super(a, b, …)`: the callee's name (its last
   * dotted part; "super") and the arguments as literals. Undefined when something else is there.
   */
  callAt(offset: number): { callee: string; args: Literal[] } | undefined {
    const t = this.text;
    let i = offset;
    let callee: string;
    if (t.startsWith('new', i) && !isIdent(t.charCodeAt(i + 3))) {
      i = this.skipTrivia(i + 3);
      const m = /^[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*/.exec(t.slice(i, i + 200));
      if (!m) return undefined;
      callee = m[0].split('.').at(-1)?.trim() ?? '';
      i = this.skipTrivia(i + m[0].length);
      if (t[i] === '<') i = this.skipTrivia(this.skipBalanced(i, '<', '>'));
    } else if (t.startsWith('super', i) && !isIdent(t.charCodeAt(i + 5))) {
      callee = 'super';
      i = this.skipTrivia(i + 5);
    } else return undefined;
    if (t[i] !== '(') return undefined;
    const args: Literal[] = [];
    i = this.skipTrivia(i + 1);
    while (i < t.length && t[i] !== ')') {
      const { value, end } = this.literal(i);
      args.push(value);
      i = this.skipTrivia(end);
      if (t[i] === ',') i = this.skipTrivia(i + 1);
      else if (t[i] !== ')') return undefined;
    }
    return { callee, args };
  }

  /** Offsets of `export default` statements (outside strings and comments). */
  exportDefaults(): number[] {
    const out: number[] = [];
    const t = this.text;
    for (let i = 0; i < t.length; ) {
      const j = this.skipNoise(i, true);
      if (j !== i) {
        i = j;
        continue;
      }
      if (t.startsWith('export', i) && !isIdent(t.charCodeAt(i - 1)) && !isIdent(t.charCodeAt(i + 6))) {
        const k = this.skipTrivia(i + 6);
        if (t.startsWith('default', k) && !isIdent(t.charCodeAt(k + 7))) out.push(i);
        i += 6;
        continue;
      }
      i++;
    }
    return out;
  }

  /** The literal (or other expression) starting at `i`, and where it ends. */
  private literal(start: number): { value: Literal; end: number } {
    const t = this.text;
    const i = this.skipTrivia(start);
    if (t[i] === '{') {
      const members = new Map<string, { key: number; value: Literal }>();
      let j = this.skipTrivia(i + 1);
      while (j < t.length && t[j] !== '}') {
        const keyAt = j;
        let key: string | undefined;
        if (t.startsWith('...', j)) {
          j = this.expressionEnd(j + 3);
        } else {
          if (t[j] === '"' || t[j] === "'") {
            const end = this.skipString(j);
            key = unquote(t.slice(j, end));
            j = end;
          } else if (t[j] === '[') {
            j = this.skipBalanced(j, '[', ']');
          } else {
            const m = /^[\w$]+/.exec(t.slice(j, j + 200));
            if (!m) return { value: { type: 'other', start: i }, end: this.expressionEnd(i) };
            key = m[0];
            j += m[0].length;
          }
          j = this.skipTrivia(j);
          if (t[j] === '?') j = this.skipTrivia(j + 1);
          if (t[j] === ':') {
            const v = this.literal(j + 1);
            if (key !== undefined) members.set(key, { key: keyAt, value: v.value });
            j = v.end;
          } else if (t[j] === '(') {
            // A method: its parameters and body.
            j = this.skipTrivia(this.skipBalanced(j, '(', ')'));
            if (t[j] === ':') j = this.expressionEnd(j + 1, '{');
            j = this.skipBalanced(this.skipTrivia(j), '{', '}');
          } else if (key !== undefined) {
            // Shorthand `{ image }`: the value is the name itself.
            members.set(key, { key: keyAt, value: { type: 'other', start: keyAt } });
          }
        }
        j = this.skipTrivia(j);
        if (t[j] === ',') j = this.skipTrivia(j + 1);
        else if (t[j] !== '}') return { value: { type: 'other', start: i }, end: this.expressionEnd(i) };
      }
      return { value: { type: 'object', start: i, members }, end: this.expressionEnd(j + 1) };
    }
    if (t[i] === '[') {
      const elements: Literal[] = [];
      let j = this.skipTrivia(i + 1);
      while (j < t.length && t[j] !== ']') {
        if (t[j] === ',') {
          elements.push({ type: 'other', start: j });
          j = this.skipTrivia(j + 1);
          continue;
        }
        const v = this.literal(j);
        elements.push(v.value);
        j = this.skipTrivia(v.end);
        if (t[j] === ',') j = this.skipTrivia(j + 1);
        else if (t[j] !== ']') return { value: { type: 'other', start: i }, end: this.expressionEnd(i) };
      }
      return { value: { type: 'array', start: i, elements }, end: this.expressionEnd(j + 1) };
    }
    return { value: { type: 'other', start: i }, end: this.expressionEnd(i) };
  }

  /** From `i`, the end of an expression: the first `,` or closing bracket (or `stop`) at depth 0. */
  private expressionEnd(start: number, stop?: string): number {
    const t = this.text;
    let i = start;
    while (i < t.length) {
      const j = this.skipNoise(i, true);
      if (j !== i) {
        i = j;
        continue;
      }
      const c = t[i] as string;
      if (c === ',' || c === ')' || c === ']' || c === '}' || c === ';' || c === stop) return i;
      if (c === '(') i = this.skipBalanced(i, '(', ')');
      else if (c === '[') i = this.skipBalanced(i, '[', ']');
      else if (c === '{') i = this.skipBalanced(i, '{', '}');
      else i++;
    }
    return i;
  }

  /** From an opening bracket at `i`, just past its matching close. */
  private skipBalanced(start: number, open: string, close: string): number {
    const t = this.text;
    let depth = 0;
    let i = start;
    while (i < t.length) {
      // Inside type arguments (`<…>`) a `/` cannot start a regex.
      const j = this.skipNoise(i, open !== '<');
      if (j !== i) {
        i = j;
        continue;
      }
      const c = t[i] as string;
      if (c === open) depth++;
      else if (c === close) {
        depth--;
        if (depth === 0) return i + 1;
      } else if (open !== '(' && c === '(') {
        i = this.skipBalanced(i, '(', ')');
        continue;
      } else if (open !== '{' && c === '{') {
        i = this.skipBalanced(i, '{', '}');
        continue;
      } else if (open !== '[' && c === '[') {
        i = this.skipBalanced(i, '[', ']');
        continue;
      }
      i++;
    }
    return i;
  }

  /**
   * Past what at `i` holds no code: comments and white space, a string, or (with `regex`) a
   * regex literal; `i` itself when code starts there.
   */
  private skipNoise(i: number, regex: boolean): number {
    const j = this.skipTrivia(i);
    if (j !== i) return j;
    const c = this.text[i];
    if (c === '"' || c === "'" || c === '`') return this.skipString(i);
    if (regex && c === '/' && this.regexCanStart(i)) return this.skipRegex(i);
    return i;
  }

  /** From a quote at `i`, just past the string (a template literal with its `${…}` parts). */
  private skipString(start: number): number {
    const t = this.text;
    const q = t[start];
    let i = start + 1;
    while (i < t.length) {
      const c = t[i];
      if (c === '\\') i += 2;
      else if (c === q) return i + 1;
      else if (q === '`' && c === '$' && t[i + 1] === '{') i = this.skipBalanced(i + 1, '{', '}');
      else if (c === '\n' && q !== '`') return i;
      else i++;
    }
    return i;
  }

  private skipRegex(start: number): number {
    const t = this.text;
    let i = start + 1;
    let inClass = false;
    while (i < t.length && t[i] !== '\n') {
      const c = t[i];
      if (c === '\\') i += 2;
      else if (c === '[') (inClass = true), i++;
      else if (c === ']') (inClass = false), i++;
      else if (c === '/' && !inClass) {
        i++;
        while (isIdent(t.charCodeAt(i))) i++;
        return i;
      } else i++;
    }
    return i;
  }

  /** Whether a `/` at `i` starts a regular expression rather than dividing. */
  private regexCanStart(i: number): boolean {
    const t = this.text;
    if (t[i + 1] === '/' || t[i + 1] === '*') return false;
    let j = i - 1;
    while (j >= 0 && /\s/.test(t[j] as string)) j--;
    if (j < 0) return true;
    const p = t[j] as string;
    if (/[\w$)\]]/.test(p)) return /\b(return|typeof|case|do|else|in|of|new|delete|void|throw)$/.test(t.slice(Math.max(0, j - 8), j + 1));
    return true;
  }

  /** Past whitespace and comments from `i`. */
  private skipTrivia(start: number): number {
    const t = this.text;
    let i = start;
    for (;;) {
      while (i < t.length && /\s/.test(t[i] as string)) i++;
      if (t[i] === '/' && t[i + 1] === '/') {
        while (i < t.length && t[i] !== '\n') i++;
      } else if (t[i] === '/' && t[i + 1] === '*') {
        const end = t.indexOf('*/', i + 2);
        i = end < 0 ? t.length : end + 2;
      } else return i;
    }
  }
}

/**
 * The position in `props` of a property path as diagnostics write it (`ports[0].containerPort`,
 * `env.LOG_LEVEL`): the key of the deepest member found along it, or the element for an index.
 * Undefined when not even its first part is in the literal. Keys are matched against the
 * literal's own keys, longest first, so a key holding "." or "[" is still found.
 */
export function propertyOffset(props: Literal, path: string): number | undefined {
  let node: Literal = props;
  let rest = path;
  let found: number | undefined;
  while (rest !== '') {
    const index = /^\[(\d+)\]/.exec(rest);
    if (index && node.type === 'array') {
      const el = node.elements[Number(index[1])];
      if (!el) break;
      found = el.start;
      node = el;
      rest = rest.slice(index[0].length);
    } else if (node.type === 'object') {
      let key: string | undefined;
      for (const k of node.members.keys()) {
        const next = rest.charAt(k.length);
        if (rest.startsWith(k) && (next === '' || next === '.' || next === '[') && (key === undefined || k.length > key.length)) key = k;
      }
      const m = key === undefined ? undefined : node.members.get(key);
      if (key === undefined || !m) break;
      found = m.key;
      node = m.value;
      rest = rest.slice(key.length);
    } else break;
    if (rest.startsWith('.')) rest = rest.slice(1);
  }
  return found;
}

function isIdent(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}

function unquote(s: string): string {
  try {
    return s.startsWith("'") ? (JSON.parse(`"${s.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string) : (JSON.parse(s) as string);
  } catch {
    return s.slice(1, -1);
  }
}
