/**
 * The Swarm manager's API as the Swarm target uses it (Engine API 1.41 over dockerode's
 * connection: unix, tcp+TLS, ssh). Small effectful calls; the target decides what to call.
 */
import { DriverError } from '@berth/core';
import type { DockerClient } from '../docker/connect.ts';
import { statusOf, wrap } from '../docker/driver-error.ts';
import type { SwarmServiceSpec } from './translate.ts';

export interface ServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: SwarmServiceSpec;
  PreviousSpec?: SwarmServiceSpec;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string };
  Endpoint?: { Ports?: Array<{ PublishedPort?: number; TargetPort?: number }> };
}

export interface TaskInfo {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState: string;
  CreatedAt?: string;
  Spec: { ContainerSpec?: { Labels?: Record<string, string> } & Record<string, unknown>; ForceUpdate?: number };
  Status: { State: string; Message?: string; Err?: string; Timestamp?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

export interface NodeInfo {
  ID: string;
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string; Message?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

export interface NamedObject {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> };
}

export interface NetworkInfo {
  Id: string;
  Name: string;
  Labels?: Record<string, string>;
}

type Dial = (o: { path: string; method: string; options?: unknown; statusCodes: Record<number, boolean | string> }, cb: (err: unknown, data: unknown) => void) => void;

/** A raw Engine API call (for what dockerode's typings lack or get wrong). */
function dial<T>(client: DockerClient, method: string, path: string, options?: { _query?: Record<string, unknown>; _body?: unknown }): Promise<T> {
  const modem = (client.docker as unknown as { modem: { dial: Dial } }).modem;
  // The modem appends `_query` after a trailing `?` (and drops the `?` when there is none).
  const withQuery = options?._query !== undefined ? `${path}?` : path;
  return new Promise<T>((resolve, reject) => {
    modem.dial(
      { path: withQuery, method, ...(options !== undefined ? { options } : {}), statusCodes: { 200: true, 201: true, 204: true, 400: 'bad parameter', 404: 'not found', 409: 'conflict', 500: 'server error', 503: 'node is not part of a swarm' } },
      (err, data) => (err ? reject(err) : resolve(data as T)),
    );
  });
}

const labelQuery = (labels: Record<string, string>): { _query: { filters: string } } => ({
  _query: { filters: JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) }) },
});

export class SwarmClient {
  constructor(readonly client: DockerClient) {}

  get endpoint(): string {
    return this.client.endpoint;
  }

  /** Fails clearly when the engine is not a Swarm manager. */
  async info(): Promise<{ nodeId: string; isManager: boolean; hostname: string }> {
    const i = await wrap('read engine info', () => dial<{ Name?: string; Swarm?: { NodeID?: string; ControlAvailable?: boolean; LocalNodeState?: string } }>(this.client, 'GET', '/info'));
    if (i.Swarm?.LocalNodeState !== 'active' || !i.Swarm.ControlAvailable) {
      throw new DriverError('driver.unreachable', `swarm: ${this.endpoint} is not a Swarm manager (swarm state: ${i.Swarm?.LocalNodeState ?? 'unknown'})`, {
        driver: 'swarm',
        hint: 'point target.swarm.manager at a manager node (docker swarm init makes one)',
      });
    }
    return { nodeId: i.Swarm.NodeID ?? '', isManager: true, hostname: i.Name ?? '' };
  }

  nodes(): Promise<NodeInfo[]> {
    return wrap('list swarm nodes', () => dial<NodeInfo[]>(this.client, 'GET', '/nodes'));
  }

  services(labels: Record<string, string>): Promise<ServiceInfo[]> {
    return wrap('list services', () => dial<ServiceInfo[]>(this.client, 'GET', '/services', labelQuery(labels)));
  }

  async service(name: string): Promise<ServiceInfo | undefined> {
    try {
      return await dial<ServiceInfo>(this.client, 'GET', `/services/${encodeURIComponent(name)}`);
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      return wrap(`inspect service ${name}`, () => Promise.reject(e));
    }
  }

  async createService(spec: SwarmServiceSpec, resourceId: string): Promise<string> {
    const r = await wrap(`create service ${spec.Name}`, () => dial<{ ID: string }>(this.client, 'POST', '/services/create', { _body: spec }), resourceId);
    return r.ID;
  }

  async updateService(id: string, version: number, spec: SwarmServiceSpec, resourceId: string): Promise<void> {
    await wrap(`update service ${spec.Name}`, () => dial(this.client, 'POST', `/services/${id}/update`, { _query: { version }, _body: spec }), resourceId);
  }

  async removeService(id: string): Promise<void> {
    try {
      await dial(this.client, 'DELETE', `/services/${id}`);
    } catch (e) {
      if (statusOf(e) !== 404) await wrap(`remove service ${id}`, () => Promise.reject(e));
    }
  }

  tasks(filters: Record<string, string[]>): Promise<TaskInfo[]> {
    return wrap('list tasks', () => dial<TaskInfo[]>(this.client, 'GET', '/tasks', { _query: { filters: JSON.stringify(filters) } }));
  }

  list(kind: 'secrets' | 'configs', labels: Record<string, string>): Promise<NamedObject[]> {
    return wrap(`list ${kind}`, () => dial<NamedObject[]>(this.client, 'GET', `/${kind}`, labelQuery(labels)));
  }

  /** Creates a secret or config (`data` is the value, sent base64-encoded); returns its id. */
  async create(kind: 'secrets' | 'configs', name: string, labels: Record<string, string>, data: string, resourceId: string): Promise<string> {
    const r = await wrap(`create ${kind.slice(0, -1)} ${name}`, () => dial<{ ID: string }>(this.client, 'POST', `/${kind}/create`, { _body: { Name: name, Labels: labels, Data: Buffer.from(data, 'utf8').toString('base64') } }), resourceId);
    return r.ID;
  }

  /** Removes a secret or config; false while a service still uses it. */
  async remove(kind: 'secrets' | 'configs', id: string): Promise<boolean> {
    try {
      await dial(this.client, 'DELETE', `/${kind}/${id}`);
      return true;
    } catch (e) {
      const s = statusOf(e);
      if (s === 404) return true;
      if (s === 400 || s === 409 || s === 500) return false;
      return wrap(`remove ${kind.slice(0, -1)} ${id}`, () => Promise.reject(e));
    }
  }

  networks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    return wrap('list networks', () => dial<NetworkInfo[]>(this.client, 'GET', '/networks', labelQuery(labels)));
  }

  allNetworks(): Promise<NetworkInfo[]> {
    return wrap('list networks', () => dial<NetworkInfo[]>(this.client, 'GET', '/networks'));
  }

  async createNetwork(name: string, labels: Record<string, string>, internal: boolean, resourceId: string): Promise<string> {
    const r = await wrap(
      `create network ${name}`,
      () => dial<{ Id: string }>(this.client, 'POST', '/networks/create', { _body: { Name: name, Driver: 'overlay', Attachable: true, Internal: internal, CheckDuplicate: true, Labels: labels } }),
      resourceId,
    );
    return r.Id;
  }

  /** Removes a network; false while tasks are still attached (they leave a moment after their service). */
  async removeNetwork(id: string): Promise<boolean> {
    try {
      await dial(this.client, 'DELETE', `/networks/${id}`);
      return true;
    } catch (e) {
      const s = statusOf(e);
      if (s === 404) return true;
      if (s === 403 || s === 409 || s === 500) return false;
      return wrap(`remove network ${id}`, () => Promise.reject(e));
    }
  }
}
