/**
 * `berth synth` end to end on the built binary: the graph file it writes is byte for byte the
 * example's golden, `--json` carries the same graphs, and nothing is left half written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatGraph, GraphJson } from '@berth/core';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'));
const out = mkdtempSync(join(tmpdir(), 'berth-synth-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!built)('berth synth (built CLI)', () => {
  it('writes each cluster graph as the golden bytes, one resource per line', () => {
    const app = join(ROOT, 'examples/hello/cluster.ts');
    const stdout = execFileSync('node', [BIN, 'synth', '--app', app, '--out', out], { encoding: 'utf8' });
    expect(stdout).toMatch(/^hello: 3 resources → /);
    const text = readFileSync(join(out, 'hello.graph.json'), 'utf8');
    expect(text).toBe(readFileSync(join(ROOT, 'test/synth/golden/hello.graph.json'), 'utf8'));
    const graph = GraphJson.parse(JSON.parse(text));
    expect(text.split('\n').filter((l) => l.startsWith('    {"dependsOn":'))).toHaveLength(graph.resources.length);
    expect(readdirSync(out)).toEqual(['hello.graph.json']);
  });

  it('prints { graphs, ok } with --json, the same graphs the file holds', () => {
    const app = join(ROOT, 'examples/shop/cluster.ts');
    const stdout = execFileSync('node', [BIN, 'synth', '--app', app, '--out', out, '--json'], { encoding: 'utf8' });
    const data = JSON.parse(stdout) as { ok: boolean; graphs: unknown[] };
    expect(data.ok).toBe(true);
    expect(data.graphs.map((g) => formatGraph(g as object)).join('')).toBe(readFileSync(join(ROOT, 'test/synth/golden/shop.graph.json'), 'utf8'));
    expect(readFileSync(join(out, 'shop.graph.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'test/synth/golden/shop.graph.json'), 'utf8'));
  });

  it('removes the graphs of a previous run when the program now fails, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-stale-'));
    try {
      cpSync(join(ROOT, 'examples/hello'), dir, { recursive: true });
      const app = join(dir, 'cluster.ts');
      const outDir = join(dir, 'graphs');
      execFileSync('node', [BIN, 'synth', '--app', app, '--out', outDir], { encoding: 'utf8' });
      expect(readdirSync(outDir)).toEqual(['hello.graph.json']);
      writeFileSync(join(outDir, 'notes.txt'), 'not a graph');
      // Break the program: a negative replica count.
      writeFileSync(app, readFileSync(app, 'utf8').replace(/replicas: \d+/, 'replicas: -1'));
      const r = spawnSync('node', [BIN, 'synth', '--app', app, '--out', outDir], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/error\[props\.invalid\] .*cluster\.ts:\d+:\d+ {2}hello\/site \(Deployment\)\n {2}replicas: must be >= 0, got -1/);
      expect(r.stderr).toContain('nothing was written');
      // The stale graph is gone; what is not a graph is left alone.
      expect(readdirSync(outDir)).toEqual(['notes.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops the graph of a cluster the program no longer has', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-renamed-'));
    try {
      cpSync(join(ROOT, 'examples/hello'), dir, { recursive: true });
      const app = join(dir, 'cluster.ts');
      execFileSync('node', [BIN, 'synth', '--app', app], { encoding: 'utf8' });
      writeFileSync(app, readFileSync(app, 'utf8').replace(/new Cluster\(app, '[^']+'/, "new Cluster(app, 'hello-two'"));
      execFileSync('node', [BIN, 'synth', '--app', app], { encoding: 'utf8' });
      expect(readdirSync(join(dir, 'berth.out'))).toEqual(['hello-two.graph.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
