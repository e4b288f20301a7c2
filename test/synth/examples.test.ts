/**
 * Every example is a synth golden: `examples/<name>/cluster.ts` must synthesize to exactly
 * `test/synth/golden/<name>.graph.json` (UPDATE_GOLDEN=1 rewrites) as `berth synth` writes it,
 * and twice in a row to the same bytes.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatGraph, GraphJson } from '@berth/core';
import { synthApp } from '../../packages/cli/src/load/synth-app.ts';

const root = join(import.meta.dirname, '../..');
const examples = readdirSync(join(root, 'examples')).filter((e) => existsSync(join(root, 'examples', e, 'cluster.ts'))).sort();

describe('examples synthesize to their goldens', () => {
  it('covers hello and shop', () => {
    expect(examples).toEqual(expect.arrayContaining(['hello', 'shop']));
  });
  for (const name of examples) {
    it(name, async () => {
      const dir = join(root, 'examples', name);
      const first = await synthApp(dir, undefined);
      const second = await synthApp(dir, undefined);
      const text = first.graphs.map((g) => formatGraph(g)).join('');
      expect(second.graphs.map((g) => formatGraph(g)).join('')).toBe(text);
      for (const g of first.graphs) expect(GraphJson.safeParse(g).success).toBe(true);
      const golden = join(import.meta.dirname, 'golden', `${name}.graph.json`);
      if (process.env['UPDATE_GOLDEN'] || !existsSync(golden)) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, 'utf8'));
    });
  }
});
