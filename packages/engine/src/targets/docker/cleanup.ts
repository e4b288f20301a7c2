/**
 * Removing everything a cluster owns, found by label (not by state: this also cleans up after a
 * crash that never wrote state). Containers go first because networks and volumes in use cannot
 * be removed.
 */
import type { DockerClient } from './connect.ts';
import { removeContainer, listContainers } from './containers.ts';
import type { VolumeChoice } from '../driver.ts';
import { FILES_COMPONENT } from './files.ts';
import { LABEL_CLUSTER, LABEL_COMPONENT, LABEL_RESOURCE } from './labels.ts';
import { listNetworks, NETWORK_SETTLE_MS, removeNetwork } from './networks.ts';
import { listVolumes, removeVolume } from './volumes.ts';
import { wrap, tryWrap } from './driver-error.ts';

export interface RemovedByLabel {
  readonly containers: number;
  readonly networks: number;
  readonly volumes: number;
  readonly images: number;
}

/**
 * Force-removes the cluster's containers, then its networks; its volumes (data!) and built images
 * only when asked: `volumes: true` removes every volume, a list only those Volume resource ids.
 */
export async function removeAllByLabel(client: DockerClient, cluster: string, opts: { volumes?: VolumeChoice; images?: boolean } = {}): Promise<RemovedByLabel> {
  const sel = { [LABEL_CLUSTER]: cluster };
  const containers = await listContainers(client, sel, { all: true });
  await Promise.all(containers.map((c) => removeContainer(client, c.id, { force: true })));
  const networks = await listNetworks(client, sel);
  // The containers are gone, but the engine may release their endpoints a moment later.
  for (const n of networks) await removeNetwork(client, n.id, { settleMs: NETWORK_SETTLE_MS });
  let volumes = 0;
  // The Config/Secret tmpfs holds no data of the user's: it always goes with the cluster.
  for (const v of await listVolumes(client, { ...sel, [LABEL_COMPONENT]: FILES_COMPONENT })) await removeVolume(client, v.name);
  if (opts.volumes === true || (Array.isArray(opts.volumes) && opts.volumes.length > 0)) {
    const chosen = opts.volumes;
    const vols = (await listVolumes(client, sel)).filter((v) => chosen === true || chosen.includes(v.labels[LABEL_RESOURCE] ?? ''));
    for (const v of vols) await removeVolume(client, v.name);
    volumes = vols.length;
  }
  let images = 0;
  if (opts.images) {
    const list = await wrap('list images', () => client.docker.listImages({ filters: JSON.stringify({ label: [`${LABEL_CLUSTER}=${cluster}`] }) }));
    for (const img of list) {
      await tryWrap(`remove image ${img.Id}`, () => client.docker.getImage(img.Id).remove({ force: true }));
    }
    images = list.length;
  }
  return { containers: containers.length, networks: networks.length, volumes, images };
}
