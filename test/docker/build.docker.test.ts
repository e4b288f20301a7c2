import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError } from '../../packages/core/src/errors.ts';
import { hashBuildContext, packBuildContext, readBuildContext } from '../../packages/engine/src/build-context.ts';
import { buildImage, execInContainer, runContainer, waitForHealth } from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, cleanup, client, ensureTestImages, skipReason, uniqueCluster, unreachable } from './engine.ts';

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
}

/** Lists the entry names of a tar stream (ustar headers, enough for a test). */
async function tarNames(stream: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  const buf = Buffer.concat(chunks);
  const names: string[] = [];
  for (let off = 0; off + 512 <= buf.length; ) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(h.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    names.push(prefix ? `${prefix}/${name}` : name);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe('build context (.dockerignore)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ctx-'));
  writeTree(dir, {
    Dockerfile: 'FROM scratch\n',
    '.dockerignore': '# comment\nnode_modules\n*.log\nsecrets/\ndocs/**\n!docs/keep.md\n',
    'src/app.js': 'x',
    'src/debug.log': 'x',
    'node_modules/dep/index.js': 'x',
    'secrets/key.pem': 'x',
    'docs/a.md': 'x',
    'docs/keep.md': 'x',
    'Z.txt': 'x',
    'a.txt': 'x',
  });

  it('lists exactly the files .dockerignore lets through, in code-unit order', () => {
    // As with docker: `*.log` matches at the root only (src/debug.log stays), `!` re-includes.
    expect(readBuildContext(dir).files).toEqual(['.dockerignore', 'Dockerfile', 'Z.txt', 'a.txt', 'docs/keep.md', 'src/app.js', 'src/debug.log']);
  });

  it('hash changes with content of included files only', () => {
    const h1 = hashBuildContext(dir);
    fs.writeFileSync(path.join(dir, 'node_modules/dep/index.js'), 'changed');
    fs.writeFileSync(path.join(dir, 'other.log'), 'new');
    expect(hashBuildContext(dir)).toEqual(h1);
    fs.writeFileSync(path.join(dir, 'src/app.js'), 'changed');
    const h2 = hashBuildContext(dir);
    expect(h2.ok && h1.ok && h2.hash !== h1.hash).toBe(true);
    expect(h2).toMatchObject({ ok: true, files: 7 });
  });

  it('reports a missing context or Dockerfile as data', () => {
    expect(hashBuildContext(path.join(dir, 'nope'))).toMatchObject({ ok: false, problem: 'context-missing' });
    expect(hashBuildContext(dir, 'Other.Dockerfile')).toMatchObject({ ok: false, problem: 'dockerfile-missing' });
  });

  it('tars exactly the listed files, plus a Dockerfile from outside the context', async () => {
    expect(await tarNames(packBuildContext(readBuildContext(dir)))).toEqual(readBuildContext(dir).files);
    const outside = readBuildContext(path.join(dir, 'src'), '../Dockerfile');
    expect(outside.dockerfileInTar).toBe('.berth.Dockerfile');
    expect(await tarNames(packBuildContext(outside))).toEqual(['app.js', 'debug.log', '.berth.Dockerfile']);
  });
});

describe.skipIf(unreachable !== undefined)(`image build on a real engine${skipReason}`, () => {
  const cluster = uniqueCluster('build');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-build-'));

  beforeAll(() => {
    ensureTestImages();
    writeTree(dir, {
      Dockerfile: `FROM ${BUSYBOX}\nCOPY . /ctx\nRUN ["/bin/sh", "-c", "ls -R /ctx > /listing"]\n`,
      '.dockerignore': 'ignored.txt\n',
      'kept.txt': 'kept',
      'ignored.txt': 'should not be in the image',
    });
  });
  afterAll(() => cleanup(cluster));

  it('builds once, then skips because the content-hash tag exists; .dockerignore is honoured in the image', async () => {
    const h = hashBuildContext(dir);
    if (!h.ok) throw new Error('context unreadable');
    const lines: string[] = [];
    let t = Date.now();
    const first = await buildImage(client, { cluster, resource: 'app-image', context: dir, contentHash: h.hash, onProgress: (l) => lines.push(l) });
    const coldMs = Date.now() - t;
    expect(first).toMatchObject({ cached: false, tag: `berth/${cluster}-app-image:${h.hash}` });
    expect(first.imageId).toMatch(/^sha256:/);
    expect(lines.some((l) => /^Step 2\/\d+ : COPY/.test(l))).toBe(true);

    t = Date.now();
    const second = await buildImage(client, { cluster, resource: 'app-image', context: dir, contentHash: h.hash });
    const cachedMs = Date.now() - t;
    expect(second).toEqual({ ...first, cached: true });
    console.log(`[timing] build cold ${coldMs} ms, cache hit ${cachedMs} ms`);

    const c = await runContainer(client, { cluster, resource: 'app', ordinal: 0, specHash: 's', release: 'r1', image: first.imageId, command: ['sleep', '30'] });
    const ls = await execInContainer(client, c.id, ['cat', '/listing']);
    expect(ls.stdout).toContain('kept.txt');
    expect(ls.stdout).toContain('Dockerfile');
    expect(ls.stdout).not.toContain('ignored.txt');
  });

  it('reports a failing step with its output as driver.build-failed (the engine says HTTP 200)', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bad-'));
    writeTree(bad, { Dockerfile: `FROM ${BUSYBOX}\nRUN echo step-one-ok\nRUN echo "compiling widget.c"; echo "widget.c:3: error: boom" >&2; exit 7\n` });
    const err = await buildImage(client, { cluster, resource: 'bad-image', context: bad, contentHash: 'h1' }).catch((e: unknown) => e);
    expect(DriverError.is(err)).toBe(true);
    const e = err as DriverError;
    expect(e.code).toBe('driver.build-failed');
    expect(e.resourceId).toBe('bad-image');
    expect(e.message).toMatch(/failed at Step 3\/\d+ : RUN echo "compiling widget.c"/);
    expect(e.message).toContain('\n  compiling widget.c\n');
    expect(e.message).toContain('\n  widget.c:3: error: boom\n');
    expect(e.message).toContain('returned a non-zero code: 7');
    expect(e.message).not.toContain('step-one-ok');
  });

  it('a Dockerfile HEALTHCHECK in a built image is waited for', async () => {
    const hc = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-hc-'));
    writeTree(hc, { Dockerfile: `FROM ${BUSYBOX}\nHEALTHCHECK --interval=500ms --timeout=2s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]\n` });
    const img = await buildImage(client, { cluster, resource: 'hc-image', context: hc, contentHash: 'h1' });
    const c = await runContainer(client, { cluster, resource: 'hc', ordinal: 0, specHash: 's', release: 'r1', image: img.imageId });
    expect(await waitForHealth(client, c.id, { timeoutMs: 20_000 })).toMatchObject({ status: 'healthy' });
  });
});
