/**
 * The corpus of bad programs: each `bad/NNN-name/cluster.ts` must fail synth with exit 1,
 * write nothing, and print exactly `expected.txt` (UPDATE_GOLDEN=1 rewrites the files).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../cli/run.ts';

const dir = join(import.meta.dirname, 'bad');
const cases = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'cluster.ts'))).sort();

describe('bad programs', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });
  for (const name of cases) {
    it(name, async () => {
      const cwd = join(dir, name);
      const r = await runMain(cwd, ['synth']);
      expect(r.code).toBe(1);
      expect(existsSync(join(cwd, 'berth.out'))).toBe(false);
      const expectedFile = join(cwd, 'expected.txt');
      if (process.env['UPDATE_GOLDEN'] || !existsSync(expectedFile)) writeFileSync(expectedFile, r.err);
      expect(r.err).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
  it('prints the same problems as data with --json', async () => {
    const r = await runMain(join(dir, '015-many-problems'), ['synth', '--json']);
    expect(r.code).toBe(1);
    const data = JSON.parse(r.out) as { ok: boolean; errors: Array<{ code: string; location: { file: string; line: number } }> };
    expect(data.ok).toBe(false);
    expect(data.errors.map((e) => e.code)).toEqual(['props.invalid', 'quantity.invalid', 'props.invalid', 'props.invalid']);
    expect(data.errors[0]?.location).toMatchObject({ file: 'cluster.ts', line: 4 });
  });
});
