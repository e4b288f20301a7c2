/**
 * Moving an image to a second engine with save/load (no registry). The second engine is a
 * throw-away dockerd of our own (own network namespace, data-root, sockets, no bridge, no
 * iptables), so this suite
 * needs root and the dockerd binary; otherwise it is skipped with the reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, imageExists, transferImages, tryImageId, tryPing, type DockerClient } from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, client, ensureTestImages, skipReason, unreachable } from './engine.ts';
import { startPrivateEngine, type PrivateEngine } from './private-engine.ts';

const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => fs.existsSync(p));
const unshare = ['/usr/bin/unshare', '/bin/unshare'].find((p) => fs.existsSync(p));
const secondReason =
  unreachable !== undefined
    ? skipReason
    : process.getuid?.() !== 0
      ? ' (skipped: a second dockerd needs root)'
      : dockerd === undefined || unshare === undefined
        ? ' (skipped: needs the dockerd and unshare binaries)'
        : '';

describe.skipIf(secondReason !== '')(`image save/load into a second engine${secondReason}`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-2nd-'));
  let engine: PrivateEngine | undefined;
  let second: DockerClient;

  beforeAll(async () => {
    ensureTestImages();
    engine = startPrivateEngine(dir, { dockerd: dockerd ?? 'dockerd' });
    second = connect(`unix://${engine.sock}`);
    // Up when berth's own ping gets through.
    await engine.ready('second dockerd', async () => (await tryPing(second, 1000)) === undefined);
  });

  afterAll(async () => {
    // Only the daemon we started, by its pid; it takes its own containerd with it.
    await engine?.stop(10_000);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('copies an image with its tag, and skips images already there', async () => {
    expect(await imageExists(second, BUSYBOX)).toBe(false);
    const t = Date.now();
    expect(await transferImages(client, second, [BUSYBOX])).toEqual({ transferred: [BUSYBOX] });
    console.log(`[timing] save/load ${BUSYBOX} into a second engine ${Date.now() - t} ms`);
    expect(await tryImageId(second, BUSYBOX)).toBe(await tryImageId(client, BUSYBOX));
    expect(await transferImages(client, second, [BUSYBOX])).toEqual({ transferred: [] });
  });
});
