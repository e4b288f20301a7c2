/**
 * The image berth itself needs on a Docker engine: berth/node-base:1, the base of its Service
 * proxy (and of the starter's web image). No registry can be assumed, so when an engine lacks
 * it, it is built there from this host's own node binary and libraries (node-base.ts, 2-6 s,
 * once per engine). Deploy calls this before it starts, so the build is reported as it happens
 * instead of stalling the first Service's step.
 */
import { NODE_BASE_IMAGE } from './targets/docker/node-base-image.ts';

export { NODE_BASE_IMAGE };

export type BaseImageEvent =
  | { readonly type: 'building'; readonly image: string; readonly endpoint: string }
  | { readonly type: 'built'; readonly image: string; readonly endpoint: string; readonly ms: number };

/**
 * Makes sure every engine (undefined: the local one, $DOCKER_HOST) has berth/node-base:1,
 * building it where it is missing; engines are done one after the other (each build reads the
 * same ~100 MB of host files). Returns the engines it was built on.
 */
export async function ensureBaseImages(
  endpoints: ReadonlyArray<string | undefined>,
  opts: { readonly onEvent?: (e: BaseImageEvent) => void; readonly signal?: AbortSignal } = {},
): Promise<string[]> {
  // Loaded on first use, like the drivers (targets/factory.ts): importing @berth/engine must not
  // load dockerode and tar-fs for commands that never talk to an engine.
  const [{ connect }, { tryImageId }, { ensureNodeBaseImage }] = await Promise.all([
    import('./targets/docker/connect.ts'),
    import('./targets/docker/images.ts'),
    import('./targets/docker/node-base.ts'),
  ]);
  const built: string[] = [];
  for (const ep of endpoints) {
    const client = connect(ep);
    if ((await tryImageId(client, NODE_BASE_IMAGE)) !== undefined) continue;
    const t0 = Date.now();
    opts.onEvent?.({ type: 'building', image: NODE_BASE_IMAGE, endpoint: client.endpoint });
    const r = await ensureNodeBaseImage(client, opts.signal ? { signal: opts.signal } : {});
    if (r.built) built.push(client.endpoint);
    opts.onEvent?.({ type: 'built', image: NODE_BASE_IMAGE, endpoint: client.endpoint, ms: Date.now() - t0 });
  }
  return built;
}
