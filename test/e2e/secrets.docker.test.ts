/**
 * Secrets and Configs live in memory, read-only, owned and moded as asked (fixture "secrets").
 *
 * A non-root container (uid 1000) reads its secret with the mode it asked for; neither it nor root
 * in the container can write or append to it; and a unique secret value is found in no file on
 * the disk file systems under the engine's data root, nor in `docker export` of the container.
 * Before files lived in the cluster's tmpfs, the value sat in the container's overlay upper dir
 * (`overlay2/<id>/diff/run/secrets/…`), so the grep below found it and this test failed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck } from './converge.ts';
import { deploy, engineAvailable, makeApp, replicas, shown, skipNote, type App } from './harness.ts';

const LONG = 180_000;
// The disk grep reads the engine's data root, so it needs the engine on this machine.
const localEngine = !process.env['DOCKER_HOST'] || process.env['DOCKER_HOST'].startsWith('unix://');

const docker = (...args: string[]): { code: number | null; out: string; err: string } => {
  const r = spawnSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/**
 * How many times each needle occurs in the regular files on the disk file systems under `root`.
 * `find -xdev` stays on the data root's own file system: it skips what is mounted below it —
 * the tmpfs volumes (memory: where the secret is meant to be), containers' /dev/shm (tmpfs),
 * network namespaces (nsfs), and the overlay `merged` views of running containers, which only
 * show layers whose files are on disk and are searched there (`overlay2/<id>/diff`).
 */
function diskHits(root: string, needles: readonly string[]): Map<string, number> {
  const out = execFileSync('sh', ['-c', `find "$0" -xdev -type f -print0 | xargs -0 grep -aohF ${needles.map((_, i) => `-e "$${i + 1}"`).join(' ')} || true`, root, ...needles], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const hits = new Map(needles.map((n) => [n, 0]));
  for (const line of out.split('\n')) if (hits.has(line)) hits.set(line, (hits.get(line) ?? 0) + 1);
  return hits;
}

describe.skipIf(!engineAvailable)(`berth deploy: Secrets and Configs in memory, read-only${skipNote}`, () => {
  let app: App;
  const value = `berth-secret-${randomBytes(12).toString('hex')}`;
  let id = '';

  beforeAll(async () => {
    app = await makeApp('secrets', 'secrets');
    const r = await deploy(app, [], { BERTH_E2E_SECRET: value });
    expect(r.code, shown(r)).toBe(0);
    const rs = replicas(app.cluster, 'reader');
    expect(rs).toHaveLength(1);
    id = rs[0]?.id ?? '';
  }, LONG);

  afterAll(() => destroyAndCheck(app), LONG);

  it('uid 1000 reads its secret, owned and moded as asked; the config keeps its defaults', () => {
    const r = docker('exec', id, 'sh', '-c', 'id -u; stat -c "%a %u %g" /run/secrets/token; cat /run/secrets/token; echo; stat -c "%a %u %g" /etc/reader/reader.conf; cat /etc/reader/reader.conf');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`1000\n440 1000 1000\n${value}\n444 0 0\ngreeting = hello\n`);
  });

  it('neither the container user nor root in the container can write or append to it', () => {
    for (const user of ['1000', '0']) {
      for (const op of [`echo x >> /run/secrets/token`, `echo x > /run/secrets/token`, `echo x >> /etc/reader/reader.conf`, `rm -f /run/secrets/token`]) {
        const r = docker('exec', '-u', user, id, 'sh', '-c', op);
        expect(r.code, `${op} as ${user} should fail`).not.toBe(0);
      }
    }
    // Root hits the read-only mount itself, not just the permission bits.
    expect(docker('exec', '-u', '0', id, 'sh', '-c', 'echo x >> /run/secrets/token').err).toMatch(/read-only file system/i);
    const r = docker('exec', id, 'cat', '/run/secrets/token');
    expect(r.out).toBe(value);
  });

  it.skipIf(!localEngine)('the value is in no file on disk under the data root, nor in docker export', () => {
    // A control that the search reaches what it must: a marker written into the container's
    // writable layer is found (in its overlay upper dir, and in the export).
    const marker = `berth-marker-${randomBytes(12).toString('hex')}`;
    expect(docker('exec', '-u', '0', id, 'sh', '-c', `echo ${marker} > /marker`).code).toBe(0);
    const root = docker('info', '--format', '{{.DockerRootDir}}').out.trim();
    expect(root).not.toBe('');
    const hits = diskHits(root, [value, marker]);
    console.log(`secrets: ${hits.get(value)} hit(s) of the secret value on disk under ${root}; ${hits.get(marker)} of the control marker`);
    expect(hits.get(marker)).toBeGreaterThan(0);
    expect(hits.get(value)).toBe(0);
    // Nor in the app's own files (state, journal, synth output).
    expect(diskHits(app.dir, [value]).get(value)).toBe(0);

    const exported = spawnSync('docker', ['export', id], { maxBuffer: 512 * 1024 * 1024 });
    expect(exported.status).toBe(0);
    const tar = exported.stdout;
    expect(tar.includes(Buffer.from(marker))).toBe(true);
    expect(tar.includes(Buffer.from(value))).toBe(false);
  });
});
