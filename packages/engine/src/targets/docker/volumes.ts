/** Named volumes: created on demand, labelled for ownership, removed only when asked. */
import type { DockerClient } from './connect.ts';
import { dockerError, statusOf, tryWrap, wrap } from './driver-error.ts';
import { labelFilter, type Labels } from './labels.ts';

/** `<cluster>-<volume>`: the engine's volume name for a berth Volume resource. */
export function volumeName(cluster: string, resource: string): string {
  return `${cluster}-${resource}`.replace(/[^A-Za-z0-9_.-]+/g, '-');
}

/** Creates the volume when missing. A volume that exists with other labels is left alone (ownership is the planner's call). */
export async function ensureVolume(client: DockerClient, name: string, labels: Labels): Promise<{ name: string; created: boolean; labels: Record<string, string> }> {
  const existing = await tryWrap(`inspect volume ${name}`, () => client.docker.getVolume(name).inspect());
  if (existing) return { name, created: false, labels: existing.Labels ?? {} };
  await wrap(`create volume ${name}`, () => client.docker.createVolume({ Name: name, Driver: 'local', Labels: { ...labels } }), name);
  return { name, created: true, labels: { ...labels } };
}

export async function listVolumes(client: DockerClient, labels: Labels): Promise<Array<{ name: string; labels: Record<string, string> }>> {
  const res = await wrap('list volumes', () => client.docker.listVolumes({ filters: labelFilter(labels) }));
  return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
}

/** Removes a volume (its data is gone). Missing is fine; in use is an error naming the cause. */
export async function removeVolume(client: DockerClient, name: string): Promise<void> {
  try {
    await client.docker.getVolume(name).remove();
  } catch (err) {
    if (statusOf(err) === 404) return;
    throw dockerError(`remove volume ${name}`, err, { resourceId: name, hint: statusOf(err) === 409 ? 'a container still uses it; remove that container first' : undefined });
  }
}
