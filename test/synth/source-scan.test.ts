/**
 * The loader's source scan, which points property problems at their own line: it must step
 * over what is not structure (strings, templates, comments, regular expressions) and find
 * nothing rather than the wrong thing when the props are not a literal.
 */
import { describe, expect, it } from 'vitest';
import { propertyOffset, SourceText } from '../../packages/cli/src/load/source-scan.ts';

/** The line and column of `path` in the props of the `new` call on `line`. */
function where(text: string, line: number, path: string): string | undefined {
  const src = new SourceText(text);
  const at = src.offsetOf(line, (text.split('\n')[line - 1]?.indexOf('new') ?? 0) + 1);
  const call = at === undefined ? undefined : src.callAt(at);
  const props = call?.args[2];
  const off = props ? propertyOffset(props, path) : undefined;
  if (off === undefined) return undefined;
  const p = src.positionOf(off);
  return `${p.line}:${p.column}`;
}

describe('source scan', () => {
  it('walks keys and indexes through nested literals', () => {
    const text = ["const web = new Deployment(c, 'web', {", "  image: 'x',", '  ports: [', '    8080,', '    { containerPort: 0 },', '  ],', "  resources: { limits: { memory: 'lots' } },", '});'].join('\n');
    expect(where(text, 1, 'ports[1].containerPort')).toBe('5:7');
    expect(where(text, 1, 'ports[0]')).toBe('4:5');
    expect(where(text, 1, 'resources.limits.memory')).toBe('7:26');
    // A key that is not there: the deepest part that is.
    expect(where(text, 1, 'resources.requests.cpu')).toBe('7:3');
    expect(where(text, 1, 'health.http.port')).toBeUndefined();
  });

  it('steps over strings, templates, comments and regular expressions that look like structure', () => {
    const text = [
      'new Deployment(c, `web-${[1, 2].map((x) => `{${x}}`).join(",")}`, {',
      "  // ports: [ { , } ]",
      '  /* replicas: }, */ command: ["a,b", \'}\', /[{},]+/.source, 6 / 2 / 1],',
      "  'env': { \"A-B\": `x}${'{'}`, ['computed']: 1, ...extra },",
      '  health() { return { port: 1 }; },',
      '  user,',
      '  replicas: cond ? { a: 1 } : [2],',
      '});',
    ].join('\n');
    expect(where(text, 1, 'command')).toBe('3:22');
    expect(where(text, 1, 'env.A-B')).toBe('4:12');
    expect(where(text, 1, 'user')).toBe('6:3');
    expect(where(text, 1, 'replicas')).toBe('7:3');
    expect(where(text, 1, 'ports')).toBeUndefined();
  });

  it('finds keys that hold "." or "[" (longest match first)', () => {
    const text = ['new Deployment(c, "web", {', '  "a": { "b": 1 },', '  "a.b": 2,', '  "[": 3,', '});'].join('\n');
    expect(where(text, 1, 'a.b')).toBe('3:3');
    expect(where(text, 1, '[')).toBe('4:3');
    expect(where(text, 1, 'a')).toBe('2:3');
  });

  it('finds nothing when the props are not a literal or the call is not a construct', () => {
    expect(where("new Deployment(c, 'web', props);", 1, 'image')).toBeUndefined();
    expect(new SourceText('makeWeb(c, { image: 1 })').callAt(0)).toBeUndefined();
  });

  it('finds `export default` only as a statement', () => {
    const text = ["const s = 'export default x'; // export default y", '/* export default z */', 'export  default app;'].join('\n');
    const src = new SourceText(text);
    expect(src.exportDefaults().map((o) => src.positionOf(o))).toEqual([{ line: 3, column: 1 }]);
  });

  it('does not read a quote inside a regular expression as the start of a string', () => {
    const text = ['const q = /[`"\']/;', 'export default app;'].join('\n');
    const src = new SourceText(text);
    expect(src.exportDefaults().map((o) => src.positionOf(o))).toEqual([{ line: 2, column: 1 }]);
  });
});
