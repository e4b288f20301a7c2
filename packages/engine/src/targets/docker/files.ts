/**
 * Files injected into a container before it starts: Configs (0444) and Secrets (0400), owned by
 * root. They go in with `PUT /containers/{id}/archive` on the created (not yet started) container,
 * so a secret never appears in `docker inspect` (no env var, no bind-mounted host file) and is in
 * place before the entrypoint runs.
 *
 * The tar is written here in a few lines (ustar) rather than through a tar library: the files are
 * small, in memory, and their bytes must never touch the host's disk.
 */
import type { DockerClient } from './connect.ts';
import { wrap } from './driver-error.ts';

export interface InjectedFile {
  /** Absolute path inside the container, e.g. `/run/secrets/db-password`. */
  readonly path: string;
  readonly content: string | Uint8Array;
  /** @default 0o444 (configs); use 0o400 for secrets */
  readonly mode?: number;
}

export const CONFIG_MODE = 0o444;
export const SECRET_MODE = 0o400;

/** Copies the files into the (created, not started) container. Parent directories are created by the engine (0755, root). */
export async function putFiles(client: DockerClient, containerId: string, files: readonly InjectedFile[]): Promise<void> {
  if (files.length === 0) return;
  const tar = tarFiles(files);
  await wrap(`copy ${files.length} file(s) into ${containerId}`, () => client.docker.getContainer(containerId).putArchive(tar, { path: '/' }), containerId);
}

/** A ustar archive of the files, paths relative to `/`, owned by 0:0, mtime 0 (reproducible). */
export function tarFiles(files: readonly InjectedFile[]): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    const name = f.path.replace(/^\/+/, '');
    const body = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content);
    blocks.push(header(name, body.length, f.mode ?? CONFIG_MODE), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

function header(name: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(512);
  // ustar: names over 100 bytes are split at a '/' into prefix (155) + name (100).
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const put = (s: string, off: number, len: number): void => {
    h.write(s, off, len, 'utf8');
  };
  const octal = (n: number, off: number, len: number): void => put(n.toString(8).padStart(len - 1, '0') + '\0', off, len);
  put(base, 0, 100);
  octal(mode, 100, 8);
  octal(0, 108, 8); // uid root
  octal(0, 116, 8); // gid root
  octal(size, 124, 12);
  octal(0, 136, 12); // mtime
  put('        ', 148, 8); // checksum is computed with this field as spaces
  put('0', 156, 1); // regular file
  put('ustar\u000000', 257, 8);
  put('root', 265, 32);
  put('root', 297, 32);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}
