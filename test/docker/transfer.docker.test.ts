/**
 * Moving an image to a second engine with save/load (no registry). The second engine is a
 * throw-away dockerd of our own (own network namespace, data-root, sockets, no bridge, no
 * iptables), so this suite
 * needs root and the dockerd binary; otherwise it is skipped with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, imageExists, transferImages, tryImageId, tryPing, type DockerClient } from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, client, ensureTestImages, skipReason, unreachable } from './engine.ts';

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
  let proc: ChildProcess | undefined;
  let second: DockerClient;

  beforeAll(async () => {
    ensureTestImages();
    const sock = path.join(dir, 'docker.sock');
    // In a network namespace of its own (unshare --net execs dockerd, so the pid is dockerd's):
    // a dockerd started with --bridge=none DELETES any interface called docker0 it can see, which
    // in the host namespace is the main engine's default bridge.
    proc = spawn(
      'unshare',
      ['--net', dockerd ?? 'dockerd', `--data-root=${dir}/data`, `--exec-root=${dir}/exec`, `--pidfile=${dir}/docker.pid`, `-H`, `unix://${sock}`, '--bridge=none', '--iptables=false'],
      { stdio: ['ignore', fs.openSync(path.join(dir, 'dockerd.log'), 'a'), fs.openSync(path.join(dir, 'dockerd.log'), 'a')] },
    );
    second = connect(`unix://${sock}`);
    const deadline = Date.now() + 30_000;
    while ((await tryPing(second, 1000)) !== undefined) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`second dockerd did not start:\n${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    // Only the daemon we started, by its pid; it takes its own containerd with it.
    if (proc?.pid !== undefined && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          proc?.kill('SIGKILL');
          r();
        }, 10_000);
        proc?.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
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
