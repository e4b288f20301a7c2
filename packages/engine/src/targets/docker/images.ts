/**
 * Images: build from a context (tagged by content hash, skipped when that tag exists), existence
 * checks, and moving images between engines with save/load (no registry is assumed to exist).
 */
import path from 'node:path';
import { DriverError } from '@berth/core';
import { packBuildContext, readBuildContext } from '../../build-context.ts';
import type { DockerClient } from './connect.ts';
import { dockerError, tryWrap, wrap } from './driver-error.ts';
import { readJsonLines, progressError } from './json-stream.ts';
import { LABEL_CLUSTER, LABEL_COMPONENT, LABEL_RESOURCE, type Labels } from './labels.ts';

export interface BuildImageOptions {
  readonly cluster: string;
  /** The graph id of the ImageBuild; part of the tag. */
  readonly resource: string;
  /** The context directory (absolute, or relative to the process cwd). */
  readonly context: string;
  /** Relative to the context. @default "Dockerfile" */
  readonly dockerfile?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Multi-stage target. */
  readonly target?: string;
  /** The content hash computed at synth; it is the tag, so an unchanged context is never rebuilt. */
  readonly contentHash: string;
  /** Extra image labels (berth.cluster / berth.resource are always set). */
  readonly labels?: Labels;
  /** One call per line of build output (`Step 2/5 : RUN ...`, command output). */
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface BuiltImage {
  /** `sha256:...`: what deployments are pinned to. */
  readonly imageId: string;
  /** `berth/<cluster>-<resource>:<hash>` */
  readonly tag: string;
  /** True when the tag already existed and nothing was built. */
  readonly cached: boolean;
}

/** `berth/<cluster>-<resource>:<hash>`, lower-cased and reduced to the characters a repository name allows. */
export function imageTag(cluster: string, resource: string, contentHash: string): string {
  const repo = `${cluster}-${resource}`
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  // A tag is at most 128 characters of [A-Za-z0-9_.-]; a sha256 hex (64) fits, prefixes like "sha256:" do not.
  const tag = contentHash.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 128);
  return `berth/${repo}:${tag}`;
}

/** The image's id, or undefined when no image has that name or id. */
export async function tryImageId(client: DockerClient, ref: string): Promise<string | undefined> {
  const info = await tryWrap(`inspect image ${ref}`, () => client.docker.getImage(ref).inspect());
  return info?.Id;
}

export async function imageExists(client: DockerClient, ref: string): Promise<boolean> {
  return (await tryImageId(client, ref)) !== undefined;
}

/**
 * Builds `opts.context` into `berth/<cluster>-<resource>:<contentHash>`, unless that tag exists.
 * A failing step is reported as DriverError `driver.build-failed` whose message holds the step and
 * its output (the engine answers HTTP 200 and reports the failure inside the stream).
 */
export async function buildImage(client: DockerClient, opts: BuildImageOptions): Promise<BuiltImage> {
  const labels = { ...opts.labels, [LABEL_CLUSTER]: opts.cluster, [LABEL_RESOURCE]: opts.resource, [LABEL_COMPONENT]: opts.labels?.[LABEL_COMPONENT] ?? 'image' };
  return buildTaggedImage(client, {
    tag: imageTag(opts.cluster, opts.resource, opts.contentHash),
    resourceId: opts.resource,
    context: opts.context,
    labels,
    ...(opts.dockerfile !== undefined ? { dockerfile: opts.dockerfile } : {}),
    ...(opts.buildArgs !== undefined ? { buildArgs: opts.buildArgs } : {}),
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  });
}

export interface BuildTaggedImageOptions {
  /** The full tag; when it exists nothing is built. Content-address it, or a stale image is reused. */
  readonly tag: string;
  /** For error messages. */
  readonly resourceId: string;
  readonly context: string;
  readonly dockerfile?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly labels?: Labels;
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** `buildImage` with a caller-chosen tag (the proxy image, base images). */
export async function buildTaggedImage(client: DockerClient, opts: BuildTaggedImageOptions): Promise<BuiltImage> {
  const { tag } = opts;
  const existing = await tryImageId(client, tag);
  if (existing !== undefined) return { imageId: existing, tag, cached: true };

  const ctx = readBuildContext(opts.context, opts.dockerfile ?? 'Dockerfile');
  let response: NodeJS.ReadableStream;
  try {
    response = await client.docker.buildImage(packBuildContext(ctx), {
      t: tag,
      dockerfile: ctx.dockerfileInTar,
      buildargs: { ...opts.buildArgs },
      labels: { ...opts.labels },
      // rm + forcerm: without forcerm the container of a failed RUN is left behind, carrying our labels.
      rm: true,
      forcerm: true,
      ...(opts.target !== undefined ? { target: opts.target } : {}),
      ...(opts.signal ? { abortSignal: opts.signal } : {}),
    });
  } catch (err) {
    throw dockerError(`build ${tag}`, err, { resourceId: opts.resourceId, code: 'driver.build-failed' });
  }

  // Keep the current step's output: on failure it is what the user needs to see.
  let step = '';
  let stepOutput: string[] = [];
  let imageId: string | undefined;
  let failure: string | undefined;
  try {
    await readJsonLines(
      response,
      (obj) => {
        const err = progressError(obj);
        if (err !== undefined) {
          failure = err;
          return;
        }
        const aux = obj['aux'];
        if (typeof aux === 'object' && aux !== null && typeof (aux as { ID?: unknown }).ID === 'string') {
          imageId = (aux as { ID: string }).ID;
        }
        if (typeof obj['stream'] === 'string') {
          for (const line of obj['stream'].split('\n')) {
            if (line.trim() === '') continue;
            if (/^Step \d+\/\d+ :/.test(line)) {
              step = line;
              stepOutput = [];
            } else {
              stepOutput.push(line);
            }
            opts.onProgress?.(line);
          }
        }
      },
      opts.signal,
    );
  } catch (err) {
    throw dockerError(`build ${tag}`, err, { resourceId: opts.resourceId, code: 'driver.build-failed' });
  }
  if (failure !== undefined) {
    // " ---> Running in abc" and "Removing intermediate container" are the engine's bookkeeping,
    // not the step's output; the engine also colours stderr red with ANSI codes.
    const output = stepOutput
      .map((l) => l.replace(/\u001b\[[0-9;]*m/g, ''))
      .filter((l) => l.trim() !== '' && !l.startsWith(' ---> ') && !l.startsWith('Removing intermediate container'))
      .slice(-40);
    throw new DriverError('driver.build-failed', [`docker: build of ${opts.resourceId} failed at ${step || 'the start'}`, ...output.map((l) => `  ${l}`), `  ${failure}`].join('\n'), {
      driver: 'docker',
      resourceId: opts.resourceId,
      hint: `fix the Dockerfile step above; reproduce with: docker build -f ${path.join(ctx.dir, ctx.dockerfile)} ${ctx.dir}`,
    });
  }
  // aux.ID is absent on some engine versions; the tag is authoritative anyway.
  imageId ??= await tryImageId(client, tag);
  if (imageId === undefined) {
    throw new DriverError('driver.build-failed', `docker: build of ${opts.resourceId} finished but ${tag} does not exist`, { driver: 'docker', resourceId: opts.resourceId });
  }
  return { imageId, tag, cached: false };
}

/** `docker save`: a tar stream of the images (with their tags). */
export async function saveImages(client: DockerClient, refs: readonly string[]): Promise<NodeJS.ReadableStream> {
  return wrap(`save images ${refs.join(', ')}`, () =>
    refs.length === 1 && refs[0] !== undefined
      ? client.docker.getImage(refs[0]).get()
      : // getImages (GET /images/get?names=...) exists in dockerode but not in its typings.
        (client.docker as unknown as { getImages(o: { names: string[] }): Promise<NodeJS.ReadableStream> }).getImages({ names: [...refs] }),
  );
}

/** `docker load` of a tar stream from `saveImages`; the load result is read and checked for errors. */
export async function loadImages(client: DockerClient, tar: NodeJS.ReadableStream, signal?: AbortSignal): Promise<void> {
  const response = await wrap('load images', () => client.docker.loadImage(tar, { quiet: true, ...(signal ? { abortSignal: signal } : {}) }));
  let failure: string | undefined;
  await wrap('load images', () =>
    readJsonLines(
      response,
      (obj) => {
        failure ??= progressError(obj);
      },
      signal,
    ),
  );
  if (failure !== undefined) {
    throw new DriverError('driver.failed', `docker: load images failed: ${failure}`, { driver: 'docker' });
  }
}

/** Copies images from one engine to another, streaming (no temp file). Skips images the target already has. */
export async function transferImages(from: DockerClient, to: DockerClient, refs: readonly string[], signal?: AbortSignal): Promise<{ transferred: string[] }> {
  const missing: string[] = [];
  for (const ref of refs) if (!(await imageExists(to, ref))) missing.push(ref);
  if (missing.length === 0) return { transferred: [] };
  await loadImages(to, await saveImages(from, missing), signal);
  return { transferred: missing };
}

/** Removes an image; a missing image is not an error. */
export async function removeImage(client: DockerClient, ref: string, force = false): Promise<void> {
  await tryWrap(`remove image ${ref}`, () => client.docker.getImage(ref).remove({ force }));
}

/**
 * Image ids berth built for `cluster` (by its label; intermediate build layers carry none), and
 * the image ids any container on the engine uses, of any cluster and in any state.
 */
export async function clusterImages(client: DockerClient, cluster: string): Promise<{ built: string[]; inUse: string[] }> {
  const [images, containers] = await Promise.all([
    wrap('list images', () => client.docker.listImages({ filters: JSON.stringify({ label: [`${LABEL_CLUSTER}=${cluster}`, `${LABEL_COMPONENT}=image`] }) })),
    wrap('list containers', () => client.docker.listContainers({ all: true })),
  ]);
  return { built: images.map((i) => i.Id), inUse: [...new Set(containers.map((c) => c.ImageID))] };
}

/**
 * Removes images by id without force: the engine itself refuses one a container still uses (a
 * race with another deploy cannot take an image from under a container). Returns the ids removed.
 */
export async function removeImages(client: DockerClient, ids: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const id of ids) {
    try {
      // noprune false: the untagged parent layers of a classic build go with it.
      await client.docker.getImage(id).remove({ force: false });
      removed.push(id);
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404) removed.push(id);
      // 409: in use or tagged elsewhere; it stays, and the next deploy tries again.
      else if (status !== 409) throw dockerError(`remove image ${id}`, e);
    }
  }
  return removed;
}
