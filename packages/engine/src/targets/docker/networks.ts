/**
 * Networks: one user-defined bridge per cluster. On a user-defined network Docker's embedded DNS
 * answers container names and aliases, which is how a Service name reaches its ready replicas.
 */
import type { DockerClient } from './connect.ts';
import { dockerError, engineMessage, statusOf, tryWrap, wrap } from './driver-error.ts';
import { LABEL_CLUSTER, labelFilter, type Labels } from './labels.ts';

/** `berth-<cluster>` */
export function networkName(cluster: string): string {
  return `berth-${cluster}`;
}

/** Creates the network when missing. Returns its id; `created` tells whether this call made it. */
export async function ensureNetwork(client: DockerClient, name: string, labels: Labels, opts: { internal?: boolean } = {}): Promise<{ id: string; created: boolean }> {
  const existing = await tryWrap(`inspect network ${name}`, () => client.docker.getNetwork(name).inspect() as Promise<{ Id: string; Internal?: boolean }>);
  if (existing && (opts.internal === undefined || (existing.Internal ?? false) === opts.internal)) return { id: existing.Id, created: false };
  // The engine cannot change a network in place: it is made again with the same name.
  if (existing) await dropNetwork(client, name);
  try {
    // CheckDuplicate: network names are not unique to the engine; without it two concurrent
    // deploys could create two networks called the same, and every later lookup by name breaks.
    const net = await client.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Internal: opts.internal === true, Labels: { ...labels } });
    return { id: net.id, created: true };
  } catch (err) {
    if (statusOf(err) === 409) {
      // Lost a race with a concurrent ensure: the network exists now, which is what we wanted.
      const info = await wrap(`inspect network ${name}`, () => client.docker.getNetwork(name).inspect() as Promise<{ Id: string }>);
      return { id: info.Id, created: false };
    }
    throw dockerError(`create network ${name}`, err);
  }
}

/** The cluster network, created with the cluster label when missing. */
export async function ensureClusterNetwork(client: DockerClient, cluster: string): Promise<{ id: string; name: string; created: boolean }> {
  const name = networkName(cluster);
  return { ...(await ensureNetwork(client, name, { [LABEL_CLUSTER]: cluster })), name };
}

/**
 * Attaches a container to a network under DNS aliases. Adding a replica to a Service is
 * disconnect + connect with the service alias, because an endpoint's aliases cannot be edited.
 */
export async function connectNetwork(client: DockerClient, network: string, container: string, aliases: readonly string[] = []): Promise<void> {
  await wrap(`connect ${container} to ${network}`, () =>
    client.docker.getNetwork(network).connect({ Container: container, EndpointConfig: { Aliases: [...aliases] } }),
    container,
  );
}

/** How long a network removal waits for endpoints the engine releases late (Docker 20.10 under load). */
export const NETWORK_SETTLE_MS = 10_000;

/**
 * Removes a network that containers may still be attached to: they leave it first (a rollout
 * that follows joins their successors to a new one), then it goes, waiting up to
 * NETWORK_SETTLE_MS for endpoints the engine releases late.
 */
export async function dropNetwork(client: DockerClient, network: string): Promise<void> {
  const info = await tryWrap(`inspect network ${network}`, () => client.docker.getNetwork(network).inspect() as Promise<{ Containers?: Record<string, unknown> | null }>);
  for (const id of Object.keys(info?.Containers ?? {})) await disconnectNetwork(client, network, id);
  await removeNetwork(client, network, { settleMs: NETWORK_SETTLE_MS });
}

/** Detaches a container; not being attached (or gone) is not an error. */
export async function disconnectNetwork(client: DockerClient, network: string, container: string): Promise<void> {
  try {
    await client.docker.getNetwork(network).disconnect({ Container: container, Force: true });
  } catch (err) {
    const s = statusOf(err);
    // 404: container or network gone. 500 "is not connected": already detached. Both mean done.
    if (s === 404 || (s === 500 && /not connected/i.test(String((err as Error).message)))) return;
    throw dockerError(`disconnect ${container} from ${network}`, err, { resourceId: container });
  }
}

/** Changes a container's aliases on a network (disconnect + connect; the container keeps running). */
export async function setNetworkAliases(client: DockerClient, network: string, container: string, aliases: readonly string[]): Promise<void> {
  await disconnectNetwork(client, network, container);
  await connectNetwork(client, network, container, aliases);
}

export async function listNetworks(client: DockerClient, labels: Labels): Promise<Array<{ id: string; name: string; labels: Record<string, string> }>> {
  const nets = await wrap('list networks', () => client.docker.listNetworks({ filters: labelFilter(labels) }));
  return nets.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
}

/**
 * Removes a network; a missing one is not an error. With `settleMs`, a network the engine still
 * counts endpoints on ("has active endpoints") is tried again for that long: its containers were
 * just removed, and the engine may release their endpoints only after it reports them gone (a
 * destroy of 50 containers under load met this). An endpoint the engine never releases (a Docker
 * 20.10 leak under load) is reported with what to do.
 */
export async function removeNetwork(client: DockerClient, network: string, opts: { settleMs?: number } = {}): Promise<void> {
  const until = Date.now() + (opts.settleMs ?? 0);
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    try {
      await tryWrap(`remove network ${network}`, () => client.docker.getNetwork(network).remove());
      return;
    } catch (err) {
      const busy = /active endpoints/i.test(engineMessage((err as { cause?: unknown }).cause ?? err));
      if (!busy) throw err;
      const left = until - Date.now();
      if (left <= 0) {
        throw dockerError(`remove network ${network}`, (err as { cause?: unknown }).cause ?? err, {
          hint:
            opts.settleMs !== undefined
              ? `the engine still counts endpoints on it ${Math.round(opts.settleMs / 1000)}s after its containers were removed (a known Docker 20.10 leak under load); check \`docker network inspect ${network}\`, restart dockerd if no container uses it, then run the command again`
              : 'remove the containers attached to it first',
        });
      }
      await new Promise((r) => setTimeout(r, Math.min(wait, left)));
    }
  }
}
