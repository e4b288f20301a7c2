/**
 * The Node.js base image of berth's proxy, made from the host's own node binary because no
 * registry can be assumed (docker-testbed.md §3): node plus every library `ldd` lists, at their
 * original paths (glibc's built-in search path finds them without ld.so.cache), plus a static
 * busybox for `sh`/`wget` in health checks. Same recipe as scripts/build-test-images.sh, so
 * `berth deploy` works on a host where that script never ran. Linux hosts only, and the engine
 * must run the host's CPU architecture.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import tarFs from 'tar-fs';
import { DriverError } from '@berth/core';
import type { DockerClient } from './connect.ts';
import { dockerError } from './driver-error.ts';
import { readJsonLines, progressError } from './json-stream.ts';
import { tryImageId } from './images.ts';

import { NODE_BASE_IMAGE } from './node-base-image.ts';

export { NODE_BASE_IMAGE };

const DOCKERFILE = `FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/bin:/bin
CMD ["/usr/bin/node"]
`;

/** Builds `tag` (default berth/node-base:1) from the host's node unless it exists. Returns the image id. */
export async function ensureNodeBaseImage(client: DockerClient, opts: { tag?: string; busybox?: string; signal?: AbortSignal } = {}): Promise<{ imageId: string; built: boolean }> {
  const tag = opts.tag ?? NODE_BASE_IMAGE;
  const existing = await tryImageId(client, tag);
  if (existing !== undefined) return { imageId: existing, built: false };

  const fail = (message: string, cause?: unknown): DriverError =>
    new DriverError('driver.build-failed', `docker: cannot build ${tag}: ${message}`, {
      driver: 'docker',
      resourceId: tag,
      cause,
      hint: 'on Debian/Ubuntu: apt-get install busybox-static; or build it with scripts/build-test-images.sh, or load it with transferImages',
    });
  if (process.platform !== 'linux') throw fail(`the host is ${process.platform}; the node base image is made from a Linux host's node binary`);
  const node = fs.realpathSync(process.execPath);
  const busybox = fs.realpathSync(opts.busybox ?? '/bin/busybox');
  let libs: string[];
  try {
    libs = [...new Set(execFileSync('ldd', [node], { encoding: 'utf8' }).match(/\/[^\s)]+/g) ?? [])].sort();
  } catch (err) {
    throw fail('`ldd` on the node binary failed', err);
  }
  try {
    // A dynamically linked busybox would not run FROM scratch; `ldd` fails on static binaries.
    execFileSync('ldd', [busybox], { stdio: 'ignore' });
    throw fail(`${busybox} is dynamically linked; a static busybox is needed`);
  } catch (err) {
    if (DriverError.is(err)) throw err;
  }

  // [host path, path in the build context]. Each file is packed from its own directory, appending
  // to one tar (tar-fs refuses "/" as a root); dereference turns symlinked libraries
  // (libc.so.6 -> libc-2.36.so) into the files their names point to.
  const files: Array<[string, string]> = [[node, 'rootfs/usr/bin/node'], [busybox, 'rootfs/bin/busybox'], ...libs.map((l): [string, string] => [l, `rootfs${l}`])];
  const packFrom = (i: number, into?: ReturnType<typeof tarFs.pack>): ReturnType<typeof tarFs.pack> => {
    const [host, target] = files[i] ?? ['', ''];
    return tarFs.pack(path.dirname(host), {
      entries: [path.basename(host)],
      dereference: true,
      finalize: false,
      ...(into ? { pack: into } : {}),
      map: (h) => ({ ...h, name: target, uid: 0, gid: 0 }),
      finish: (p) => {
        if (i + 1 < files.length) {
          packFrom(i + 1, p);
          return;
        }
        p.entry({ name: 'rootfs/tmp', type: 'directory', mode: 0o1777, uid: 0, gid: 0 });
        p.entry({ name: 'Dockerfile', mode: 0o644, uid: 0, gid: 0 }, DOCKERFILE);
        p.finalize();
      },
    });
  };
  const pack = packFrom(0);
  let failure: string | undefined;
  try {
    const res = await client.docker.buildImage(Readable.from(pack), { t: tag, rm: true, forcerm: true, labels: { 'berth.component': 'node-base' }, ...(opts.signal ? { abortSignal: opts.signal } : {}) });
    await readJsonLines(res, (o) => (failure ??= progressError(o)), opts.signal);
  } catch (err) {
    throw dockerError(`build ${tag}`, err, { resourceId: tag, code: 'driver.build-failed' });
  }
  if (failure !== undefined) throw fail(failure);
  const imageId = await tryImageId(client, tag);
  if (imageId === undefined) throw fail('the build finished but the tag does not exist');
  return { imageId, built: true };
}
