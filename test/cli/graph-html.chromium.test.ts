/**
 * `berth graph --html`, `berth diff --html` and `berth graph --mermaid` on the built binary,
 * the HTML checked in a real headless Chromium (Debian's chromium): a probe page loads the
 * file in an iframe and reports what Chromium rendered (one SVG node per resource, with a real
 * box; one edge per dependency, between the right nodes); a screenshot of each file goes to
 * test/output/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphJson } from '@berth/core';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
const OUTPUT = join(ROOT, 'test/output');
const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'));
const chromium = spawnSync('chromium', ['--version'], { encoding: 'utf8' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'berth-graph-html-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', `--user-data-dir=${join(tmp, 'profile')}`];

interface Rendered {
  nodes: Array<{ id: string; kind: string; action: string | null; title: string; w: number; h: number }>;
  edges: Array<{ from: string; to: string; len: number }>;
  scripts: number;
}

/** Loads `file` in headless Chromium and returns what it rendered, measured in the page. */
function render(file: string): Rendered {
  const probe = join(tmp, `probe-${Math.random().toString(36).slice(2)}.html`);
  writeFileSync(
    probe,
    `<!doctype html><body><iframe id="f" src="file://${file}" width="1600" height="900"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', () => {
  const d = document.getElementById('f').contentDocument;
  const nodes = [...d.querySelectorAll('svg.graph g.node')].map((g) => { const b = g.getBBox(); return { id: g.dataset.id, kind: g.dataset.kind, action: g.dataset.action ?? null, title: g.querySelector('title').textContent, w: b.width, h: b.height }; });
  const edges = [...d.querySelectorAll('svg.graph path.edge')].map((p) => ({ from: p.dataset.from, to: p.dataset.to, len: p.getTotalLength() }));
  document.getElementById('out').textContent = JSON.stringify({ nodes, edges, scripts: d.querySelectorAll('script[src], link[href], img[src]').length });
});
</script></body>`,
  );
  const r = spawnSync('chromium', [...CHROMIUM_FLAGS, '--allow-file-access-from-files', '--virtual-time-budget=5000', '--dump-dom', `file://${probe}`], { encoding: 'utf8', timeout: 90_000 });
  const m = /<pre id="out">([\s\S]*?)<\/pre>/.exec(r.stdout);
  if (!m || m[1] === 'pending') throw new Error(`chromium rendered nothing:\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(-2000)}`);
  return JSON.parse((m[1] as string).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Rendered;
}

function screenshot(file: string, name: string): string {
  mkdirSync(OUTPUT, { recursive: true });
  const png = join(OUTPUT, name);
  rmSync(png, { force: true });
  spawnSync('chromium', [...CHROMIUM_FLAGS, `--screenshot=${png}`, '--window-size=1400,800', `file://${file}`], { encoding: 'utf8', timeout: 90_000 });
  return png;
}

function copyShop(): string {
  const dir = join(tmp, 'shop');
  cpSync(join(ROOT, 'examples/shop'), dir, { recursive: true, filter: (s) => !/\/(berth\.out|\.berth|node_modules)(\/|$)/.test(s) });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules/@berth-examples'), join(dir, 'node_modules/@berth-examples'));
  return dir;
}

describe.skipIf(!built || !chromium)('graph pictures in headless Chromium (built CLI)', () => {
  const dir = copyShop();
  const graph = GraphJson.parse(JSON.parse(spawnSync('node', [BIN, 'synth', '--json'], { cwd: dir, encoding: 'utf8' }).stdout).graphs[0]);
  const deps = graph.resources.flatMap((r) => r.dependsOn.map((d) => `${d}>${r.id}`)).sort();

  it('graph --html: one node per resource and one edge per dependency, rendered, nothing loaded', () => {
    const r = spawnSync('node', [BIN, 'graph', '--html', '--out', 'out/graph.html'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('wrote out/graph.html\n');
    const file = join(dir, 'out/graph.html');
    const seen = render(file);
    expect(seen.nodes.map((n) => `${n.id}:${n.kind}`).sort()).toEqual(graph.resources.map((x) => `${x.id}:${x.kind}`).sort());
    expect(seen.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(deps);
    expect(seen.nodes.every((n) => n.w >= 100 && n.h >= 40)).toBe(true);
    expect(seen.edges.every((e) => e.len > 10)).toBe(true);
    expect(seen.scripts).toBe(0);
    expect(seen.nodes.find((n) => n.id === 'api')?.title).toMatch(/^Deployment shop\/api\ndefined at cluster\.ts:\d+$/);
    const png = screenshot(file, 'graph-shop.png');
    expect(statSync(png).size).toBeGreaterThan(10_000);
  });

  it('diff --html: the plan on the graph, each change coloured, its because on hover', () => {
    const r = spawnSync('node', [BIN, 'diff', '--no-observe', '--html', 'out/diff.html'], { cwd: dir, encoding: 'utf8', env: { ...process.env, SHOP_API_KEY: 'k' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('wrote out/diff.html');
    const file = join(dir, 'out/diff.html');
    const seen = render(file);
    expect(seen.nodes).toHaveLength(graph.resources.length);
    expect(seen.nodes.every((n) => n.action === 'create')).toBe(true);
    expect(seen.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(deps);
    expect(readFileSync(file, 'utf8')).toContain('12 to create');
    expect(seen.nodes.find((n) => n.id === 'api')?.title).toContain('\ncreate');
    screenshot(file, 'diff-shop.png');
  });

  it('graph --mermaid: a flowchart with a node per resource and an edge per dependency', () => {
    const r = spawnSync('node', [BIN, 'graph', '--mermaid'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((l) => /^ {2}n_\S+\["/.test(l))).toHaveLength(graph.resources.length);
    expect(lines.filter((l) => / (-->|-\.->) /.test(l))).toHaveLength(deps.length);
    expect(r.stdout).toContain('  n_api_2dimage --> n_api\n');
    expect(r.stdout).toContain('  n_migrate -.-> n_api\n');
  });
});
