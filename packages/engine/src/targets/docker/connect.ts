/**
 * Connecting to a Docker engine. API version is pinned to 1.41 (Docker 20.10, what Debian ships):
 * newer engines still serve it, and a pinned version means a newer engine can never change a
 * response shape under us.
 */
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { DriverError } from '@berth/core';
import { dockerError } from './driver-error.ts';

export const API_VERSION = '1.41';

/** Where the engine is. Omitted fields come from DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH. */
export interface DockerEndpoint {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. @default $DOCKER_HOST or the local socket */
  readonly host?: string;
  /** For tcp://: a directory holding ca.pem, cert.pem, key.pem. @default $DOCKER_CERT_PATH */
  readonly certPath?: string;
  /** For tcp://: use TLS and verify the server. @default $DOCKER_TLS_VERIFY is set and not "0", or a certPath is given */
  readonly tlsVerify?: boolean;
}

/** A connected engine: the dockerode client and a human-readable address for messages. */
export interface DockerClient {
  readonly docker: Docker;
  /** e.g. `unix:///var/run/docker.sock`, for error messages and `status`. */
  readonly endpoint: string;
}

/**
 * A client for the engine at `endpoint` (a DOCKER_HOST-style string or an object). No I/O happens
 * here; call `ping` to find out whether the engine answers.
 */
export function connect(endpoint?: string | DockerEndpoint, env: NodeJS.ProcessEnv = process.env): DockerClient {
  const ep: DockerEndpoint = typeof endpoint === 'string' ? { host: endpoint } : (endpoint ?? {});
  const host = ep.host ?? env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  let url: URL;
  try {
    url = new URL(host);
  } catch (err) {
    throw new DriverError('driver.unreachable', `docker: cannot parse engine address ${JSON.stringify(host)}`, {
      driver: 'docker',
      cause: err,
      hint: 'use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host',
    });
  }
  const base = { version: `v${API_VERSION}` };
  switch (url.protocol) {
    case 'unix:':
      return { docker: new Docker({ ...base, socketPath: url.pathname }), endpoint: `unix://${url.pathname}` };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const certPath = ep.certPath ?? env['DOCKER_CERT_PATH'];
      const verifyEnv = env['DOCKER_TLS_VERIFY'];
      const tls =
        url.protocol === 'https:' ||
        (ep.tlsVerify ?? ((verifyEnv !== undefined && verifyEnv !== '' && verifyEnv !== '0') || ep.certPath !== undefined));
      const port = url.port || (tls ? '2376' : '2375');
      if (!tls) {
        return { docker: new Docker({ ...base, protocol: 'http', host: url.hostname, port }), endpoint: `tcp://${url.hostname}:${port}` };
      }
      const dir = certPath ?? path.join(env['HOME'] ?? '/root', '.docker');
      const read = (f: string): Buffer => {
        try {
          return fs.readFileSync(path.join(dir, f));
        } catch (err) {
          throw new DriverError('driver.unreachable', `docker: cannot read TLS file ${path.join(dir, f)}`, {
            driver: 'docker',
            cause: err,
            hint: 'set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem',
          });
        }
      };
      return {
        docker: new Docker({ ...base, protocol: 'https', host: url.hostname, port, ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') }),
        endpoint: `tcp://${url.hostname}:${port} (tls)`,
      };
    }
    case 'ssh:': {
      // docker-modem tunnels the API over ssh (`docker system dial-stdio` on the remote side).
      // It authenticates with the ssh agent only when DOCKER_HOST itself is an ssh:// address:
      // a host named in the Cluster's target must be given the agent explicitly.
      const agent = env['SSH_AUTH_SOCK'];
      return {
        docker: new Docker({
          ...base,
          protocol: 'ssh',
          host: url.hostname,
          port: url.port || '22',
          ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
          ...(agent ? { sshOptions: { agent } } : {}),
        }),
        endpoint: `ssh://${url.username ? url.username + '@' : ''}${url.hostname}`,
      };
    }
    default:
      throw new DriverError('driver.unreachable', `docker: unsupported engine address ${JSON.stringify(host)}`, {
        driver: 'docker',
        hint: 'use unix://, tcp:// or ssh://',
      });
  }
}

/** Resolves when the engine answers `/_ping`; throws `driver.unreachable` otherwise. */
export async function ping(client: DockerClient, signal?: AbortSignal): Promise<void> {
  try {
    // dockerode's ping takes no signal, so race it: a hung engine must not hang the caller.
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      client.docker.ping().then(
        () => resolve(),
        (err: unknown) => reject(err),
      ).finally(() => signal?.removeEventListener('abort', onAbort));
    });
  } catch (err) {
    throw dockerError(`ping ${client.endpoint}`, err, {
      code: 'driver.unreachable',
      hint: 'is a Docker engine running? Check DOCKER_HOST, or run scripts/ensure-docker.sh',
    });
  }
}

/** `ping` as a result: the reason the engine is unreachable, or undefined when it answers (for test skips and `status`). */
export async function tryPing(client: DockerClient, timeoutMs = 3000): Promise<string | undefined> {
  try {
    await ping(client, AbortSignal.timeout(timeoutMs));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
