/**
 * Who holds which host port on an engine's host, for the planner's port-conflict check.
 *
 * - Containers (every engine, local or remote): the engine's container list, with the ports each
 *   running container publishes; berth's own carry `berth.cluster`.
 * - Listening host processes: only where the engine runs on this machine (a unix socket on
 *   Linux), read from /proc/net/tcp and /proc/net/tcp6 (and /proc/<pid>/fd for the owner). A
 *   remote engine's host processes cannot be seen through the Engine API, so there only
 *   containers are found, and a port held by a process there still fails at the proxy's start.
 * Listeners that are a container's own published port (docker-proxy) count as that container.
 */
import fs from 'node:fs';
import type { HostPortHolder } from '../../plan/types.ts';
import type { DockerClient } from './connect.ts';
import { wrap } from './driver-error.ts';
import { LABEL_CLUSTER, LABEL_RESOURCE } from './labels.ts';

/** Whether the engine's host is this machine, so /proc/net shows its listening sockets. */
export function engineIsLocal(client: DockerClient): boolean {
  return process.platform === 'linux' && client.endpoint.startsWith('unix://');
}

export async function hostPortHolders(client: DockerClient): Promise<HostPortHolder[]> {
  const list = await wrap('list containers', () => client.docker.listContainers({ all: false }));
  const out: HostPortHolder[] = [];
  const taken = new Set<string>();
  for (const c of list) {
    const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
    const labels = c.Labels ?? {};
    const cluster = labels[LABEL_CLUSTER];
    const owner = cluster !== undefined ? { kind: 'berth' as const, cluster, resource: labels[LABEL_RESOURCE] ?? '?', container: name } : { kind: 'container' as const, container: name, image: c.Image };
    for (const p of c.Ports ?? []) {
      if (!p.PublicPort) continue;
      const protocol = p.Type === 'udp' ? 'udp' : 'tcp';
      out.push({ port: p.PublicPort, protocol, address: p.IP ?? '0.0.0.0', owner });
      taken.add(`${protocol}/${p.PublicPort}`);
    }
  }
  if (engineIsLocal(client)) {
    const listeners = listeningSockets();
    const wanted = listeners.filter((l) => !taken.has(`tcp/${l.port}`));
    const owners = wanted.length > 0 ? socketOwners(new Set(wanted.map((l) => l.inode))) : new Map<string, { pid: number; command: string }>();
    for (const l of wanted) {
      const o = owners.get(l.inode);
      out.push({ port: l.port, protocol: 'tcp', address: l.address, owner: o ? { kind: 'process', pid: o.pid, command: o.command } : { kind: 'process' } });
    }
  }
  return out.sort((a, b) => a.port - b.port || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

interface Listener {
  readonly port: number;
  readonly address: string;
  readonly inode: string;
}

/** TCP sockets in LISTEN (state 0A) from /proc/net/tcp{,6}; empty where /proc cannot be read. */
export function listeningSockets(procNet = '/proc/net'): Listener[] {
  const out: Listener[] = [];
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(`${procNet}/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue;
      const [hexAddr = '', hexPort = '0'] = (f[1] ?? '').split(':');
      out.push({ port: parseInt(hexPort, 16), address: decodeAddress(hexAddr), inode: f[9] ?? '' });
    }
  }
  return out;
}

/** /proc/net's little-endian hex: 0100007F → 127.0.0.1; 32 hex digits → an IPv6 address. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  if (/^0+$/.test(hex)) return '::';
  // IPv4-mapped (::ffff:a.b.c.d) and others: 4 little-endian 32-bit words.
  const words = [0, 1, 2, 3].map((w) => hex.slice(w * 8, w * 8 + 8).match(/../g)?.reverse().join('') ?? '');
  if (words[0] === '00000000' && words[1] === '00000000' && words[2] === '0000FFFF') {
    const v4 = words[3] ?? '00000000';
    return [0, 1, 2, 3].map((i) => parseInt(v4.slice(i * 2, i * 2 + 2), 16)).join('.');
  }
  return words.flatMap((w) => [w.slice(0, 4), w.slice(4)]).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':');
}

/** pid and command of the processes owning the socket inodes (those this user may look at). */
function socketOwners(inodes: ReadonlySet<string>): Map<string, { pid: number; command: string }> {
  const found = new Map<string, { pid: number; command: string }>();
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return found;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m || !inodes.has(m[1] ?? '') || found.has(m[1] ?? '')) continue;
      let command = '';
      try {
        command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 80);
      } catch {
        // keep the pid alone
      }
      found.set(m[1] ?? '', { pid: Number(pid), command });
    }
    if (found.size === inodes.size) break;
  }
  return found;
}
