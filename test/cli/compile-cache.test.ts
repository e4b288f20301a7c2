/**
 * The `berth` entry runs the bundled CLI through V8's code cache (packages/cli/bin/berth.mjs):
 * the first run of a command writes its cache, later runs use it unchanged, a cache V8 rejects
 * is written anew, and none of it changes what the command does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'));
const work = mkdtempSync(join(tmpdir(), 'berth-cc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function berth(cache: string, args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync('node', [BIN, ...args], { encoding: 'utf8', env: { ...process.env, BERTH_CACHE_DIR: cache, ...extra } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const caches = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8cache')).sort() : []);

describe.skipIf(!built)('compile cache', () => {
  const app = join(ROOT, 'examples/hello/cluster.ts');

  it('is written by the first run of a command and reused, not rewritten, by the next', () => {
    const cache = join(work, 'a');
    const first = berth(cache, ['synth', '--app', app, '--out', join(work, 'out-a'), '--json']);
    expect(first.code).toBe(0);
    const files = caches(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^${process.version}-${process.arch}-\\d+-\\d+-[0-9a-z]+-synth\\.v8cache$`));
    const file = join(cache, files[0] as string);
    const before = statSync(file).mtimeMs;
    const second = berth(cache, ['synth', '--app', app, '--out', join(work, 'out-a'), '--json']);
    expect(second).toEqual(first);
    expect(statSync(file).mtimeMs).toBe(before);
    // Another command gets a cache of its own.
    expect(berth(cache, ['graph', '--app', app]).code).toBe(0);
    expect(caches(cache)).toEqual([...files, (files[0] as string).replace('-synth.', '-graph.')].sort());
    // So do other V8 flags (V8 would reject the cache), and the first one stays as it was.
    const flagged = berth(cache, ['synth', '--app', app, '--out', join(work, 'out-a'), '--json'], { NODE_OPTIONS: '--max-old-space-size=512' });
    expect(flagged).toEqual(first);
    expect(caches(cache)).toHaveLength(3);
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('replaces a cache V8 rejects, and a broken one changes nothing the command does', () => {
    const cache = join(work, 'b');
    const ok = berth(cache, ['synth', '--app', app, '--out', join(work, 'out-b'), '--json']);
    const file = join(cache, caches(cache)[0] as string);
    writeFileSync(file, Buffer.from('not a code cache'));
    const again = berth(cache, ['synth', '--app', app, '--out', join(work, 'out-b'), '--json']);
    expect(again).toEqual(ok);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  it('drops the caches of other builds when it writes one', () => {
    const cache = join(work, 'c');
    berth(cache, ['--version']);
    const stale = join(cache, `${process.version}-${process.arch}-1-1-synth.v8cache`);
    writeFileSync(stale, 'old build');
    berth(cache, ['synth', '--app', app, '--out', join(work, 'out-c')]);
    expect(existsSync(stale)).toBe(false);
    expect(caches(cache).every((f) => !f.includes('-1-1-'))).toBe(true);
  });

  it('is off with BERTH_NO_COMPILE_CACHE=1, and a cache folder that cannot be written only costs speed', () => {
    const cache = join(work, 'd');
    const r = berth(cache, ['synth', '--app', app, '--out', join(work, 'out-d')], { BERTH_NO_COMPILE_CACHE: '1' });
    expect(r.code).toBe(0);
    expect(caches(cache)).toEqual([]);
    const blocker = join(work, 'not-a-dir');
    writeFileSync(blocker, '');
    const blocked = berth(join(blocker, 'cache'), ['synth', '--app', app, '--out', join(work, 'out-d')]);
    expect(blocked.code).toBe(0);
    expect(blocked.err).toBe('');
  });
});
