/**
 * Configs and Secrets as files inside a container: in memory, read-only, owned and moded as asked,
 * never in an image layer, a container's writable layer or on the host's disk.
 *
 * How, on the plain Docker Engine API (no Swarm, so no engine-side secrets), over every transport
 * the driver speaks (unix, tcp+TLS, ssh) — nothing here touches the client's own file system:
 *
 *   <cluster>-berth-files   a `local` volume of type tmpfs (memory), one per cluster and engine
 *        │
 *   holder container        (node-base image, `busybox sleep`) keeps that volume mounted. The
 *        │                  local driver unmounts a tmpfs volume — and so drops its content — as
 *        │                  soon as no running container uses it, so something must hold it.
 *        ▼
 *   PUT /containers/{holder}/archive  writes /files/<replica name>/<n> with the uid, gid and
 *        │                  mode asked (the daemon resolves the path into the volume's tmpfs; it
 *        │                  could not reach a tmpfs mounted inside a container's own namespace)
 *        ▼
 *   replica: a read-only bind of <volume mountpoint>/<replica name>/<n> at the file's path.
 *
 * Why not the simpler roads: copying into the replica (the old way) writes the value into the
 * container's overlay upper dir on disk, where `docker export`/`commit` carry it and root may
 * append; a tmpfs volume mounted by the replica itself is empty when the archive API writes
 * before start (the volume is unmounted in between); a bind of a host file is on the client's
 * disk and does not exist on a remote engine.
 *
 * What it costs: memory is memory — after an engine restart or a reboot the files are gone, and a
 * replica that needs one fails to start (its bind source is missing) until `berth deploy` runs
 * again and makes new replicas. That is the price of never writing the value to disk.
 */
import type Docker from 'dockerode';
import { DriverError } from '@berth/core';
import type { DockerClient } from './connect.ts';
import { dockerError, statusOf, tryWrap, wrap } from './driver-error.ts';
import { execInContainer } from './exec.ts';
import { LABEL_CLUSTER, LABEL_COMPONENT, LABEL_RELEASE, LABEL_RESOURCE, LABEL_SPEC } from './labels.ts';
import { ensureNodeBaseImage, NODE_BASE_IMAGE } from './node-base.ts';

export interface InjectedFile {
  /** Absolute path inside the container, e.g. `/run/secrets/db-password`. */
  readonly path: string;
  readonly content: string | Uint8Array;
  /** @default 0o444 (configs); secrets default to 0o400 */
  readonly mode?: number;
  /** @default 0 */
  readonly uid?: number;
  /** @default 0 */
  readonly gid?: number;
}

export const CONFIG_MODE = 0o444;
export const SECRET_MODE = 0o400;

/** `berth.component` of the holder container and its volume. */
export const FILES_COMPONENT = 'files';
/** Where the holder mounts the files volume. */
const HOLDER_DIR = '/files';
/** Upper bound of the tmpfs (it only uses what is written); Configs are small text files. */
const TMPFS_SIZE = '64m';

/** `<cluster>-berth-files`: both the tmpfs volume and the container holding it. */
export function filesVolumeName(cluster: string): string {
  return `${cluster}-berth-files`.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
}

export interface FilesHolder {
  readonly containerId: string;
  /** The volume's directory on the engine's host (a tmpfs mount there): what replicas bind from. */
  readonly mountpoint: string;
}

// Replicas of one cluster are created in parallel: one in-flight ensure per engine and cluster,
// so they do not race to create the same volume and container.
const inFlight = new WeakMap<DockerClient, Map<string, Promise<FilesHolder>>>();

/** The cluster's files volume and its running holder on this engine, made when missing. */
export function ensureFilesHolder(client: DockerClient, cluster: string): Promise<FilesHolder> {
  let byCluster = inFlight.get(client);
  if (!byCluster) inFlight.set(client, (byCluster = new Map()));
  const pending = byCluster.get(cluster);
  if (pending) return pending;
  const p = makeHolder(client, cluster).finally(() => byCluster.delete(cluster));
  byCluster.set(cluster, p);
  return p;
}

async function makeHolder(client: DockerClient, cluster: string): Promise<FilesHolder> {
  const name = filesVolumeName(cluster);
  const labels = { [LABEL_CLUSTER]: cluster, [LABEL_RESOURCE]: name, [LABEL_COMPONENT]: FILES_COMPONENT, [LABEL_SPEC]: 'tmpfs', [LABEL_RELEASE]: '' };
  let vol = await tryWrap(`inspect volume ${name}`, () => client.docker.getVolume(name).inspect() as Promise<Docker.VolumeInspectInfo & { Options?: Record<string, string> | null }>);
  if (!vol) {
    await wrap(
      `create volume ${name}`,
      () => client.docker.createVolume({ Name: name, Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: `size=${TMPFS_SIZE},mode=0755` }, Labels: labels }),
      name,
    ).catch(async (err: unknown) => {
      // Made meanwhile by another deploy: use it.
      if (statusOf(err) !== 409) throw err;
    });
    vol = await wrap(`inspect volume ${name}`, () => client.docker.getVolume(name).inspect() as Promise<Docker.VolumeInspectInfo & { Options?: Record<string, string> | null }>, name);
  }
  if (vol.Driver !== 'local' || vol.Options?.['type'] !== 'tmpfs') {
    // Never write a secret into a volume that could be on disk.
    throw new DriverError('driver.failed', `docker: volume ${name} exists but is not a tmpfs volume, so it cannot hold Secrets and Configs`, {
      driver: 'docker',
      resourceId: name,
      hint: `remove it (docker volume rm ${name}) and deploy again; berth makes it as tmpfs`,
    });
  }
  let info = await tryWrap(`inspect container ${name}`, () => client.docker.getContainer(name).inspect(), name);
  if (!info) {
    await ensureNodeBaseImage(client);
    await wrap(
      `create container ${name}`,
      () =>
        client.docker.createContainer({
          name,
          Image: NODE_BASE_IMAGE,
          Entrypoint: ['/bin/busybox', 'sleep', '2147483647'],
          Labels: labels,
          HostConfig: {
            Init: true,
            NetworkMode: 'none',
            RestartPolicy: { Name: 'unless-stopped' },
            Memory: 16 * 1024 * 1024,
            Mounts: [{ Type: 'volume', Source: name, Target: HOLDER_DIR, ReadOnly: false }],
          },
        }),
      name,
    ).catch((err: unknown) => {
      if (statusOf(err) !== 409) throw err; // 409: another deploy made it meanwhile
    });
    info = await wrap(`inspect container ${name}`, () => client.docker.getContainer(name).inspect(), name);
  }
  if (!info.State.Running) {
    await client.docker
      .getContainer(info.Id)
      .start()
      .catch((err: unknown) => {
        if (statusOf(err) !== 304) throw dockerError(`start container ${name}`, err, { resourceId: name });
      });
  }
  return { containerId: info.Id, mountpoint: vol.Mountpoint };
}

export interface FileBind {
  readonly Type: 'bind';
  readonly Source: string;
  readonly Target: string;
  readonly ReadOnly: true;
}

/**
 * Writes a container's files into the cluster's tmpfs, under `dir` (the container's name), and
 * returns the read-only binds that put each at its path. Call before the container is created.
 */
export async function writeFiles(client: DockerClient, cluster: string, dir: string, files: readonly InjectedFile[]): Promise<FileBind[]> {
  if (files.length === 0) return [];
  const holder = await ensureFilesHolder(client, cluster);
  const entries = files.map((f, i) => ({ ...f, path: `${dir}/${i}` }));
  const tar = tarFiles(entries, [dir]);
  await wrap(`write ${files.length} file(s) for ${dir} into ${filesVolumeName(cluster)}`, () => client.docker.getContainer(holder.containerId).putArchive(tar, { path: HOLDER_DIR }), dir);
  return files.map((f, i) => ({ Type: 'bind', Source: `${holder.mountpoint}/${dir}/${i}`, Target: f.path, ReadOnly: true }));
}

/** Drops a removed container's files from memory. No holder (destroyed, engine restarted): nothing to drop. */
export async function removeFiles(client: DockerClient, cluster: string, dir: string): Promise<void> {
  const name = filesVolumeName(cluster);
  const info = await tryWrap(`inspect container ${name}`, () => client.docker.getContainer(name).inspect(), name);
  if (!info?.State.Running) return;
  await execInContainer(client, info.Id, ['/bin/busybox', 'rm', '-rf', `${HOLDER_DIR}/${dir}`]).catch(() => undefined);
}

/**
 * A ustar archive of the files (paths relative to the extraction dir) with their uid, gid and
 * mode, and the directories listed first (0755, root). mtime 0, so it is reproducible.
 */
export function tarFiles(files: readonly InjectedFile[], dirs: readonly string[] = []): Buffer {
  const blocks: Buffer[] = [];
  for (const d of dirs) blocks.push(header(`${d.replace(/^\/+|\/+$/g, '')}/`, 0, 0o755, 0, 0, '5'));
  for (const f of files) {
    const name = f.path.replace(/^\/+/, '');
    const body = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content);
    blocks.push(header(name, body.length, f.mode ?? CONFIG_MODE, f.uid ?? 0, f.gid ?? 0, '0'), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

function header(name: string, size: number, mode: number, uid: number, gid: number, type: '0' | '5'): Buffer {
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
  octal(uid, 108, 8);
  octal(gid, 116, 8);
  octal(size, 124, 12);
  octal(0, 136, 12); // mtime
  put('        ', 148, 8); // checksum is computed with this field as spaces
  put(type, 156, 1); // '0' regular file, '5' directory
  put('ustar\u000000', 257, 8);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}
