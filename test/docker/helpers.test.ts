/** The pure helpers of the docker layer; no engine needed. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../packages/core/src/errors.ts';
import { DEFAULT_PROXY_DIR, connect, containerName, createBody, demux, imageTag, labelFilter, tarFiles } from '../../packages/engine/src/targets/docker/index.ts';

describe('connect', () => {
  it('reads unix, tcp and ssh addresses, and TLS files for tcp with DOCKER_TLS_VERIFY', () => {
    expect(connect('unix:///tmp/d.sock').endpoint).toBe('unix:///tmp/d.sock');
    expect(connect(undefined, {}).endpoint).toBe('unix:///var/run/docker.sock');
    expect(connect(undefined, { DOCKER_HOST: 'tcp://10.1.2.3:2375' }).endpoint).toBe('tcp://10.1.2.3:2375');
    expect(connect('ssh://ops@build-host').endpoint).toBe('ssh://ops@build-host');
    const certs = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, f), 'x');
    expect(connect(undefined, { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }).endpoint).toBe('tcp://h:2376 (tls)');
    const missing = (() => {
      try {
        return connect(undefined, { DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' });
      } catch (e) {
        return e;
      }
    })();
    expect(DriverError.is(missing) && (missing as DriverError).code).toBe('driver.unreachable');
  });
});

describe('proxy sources', () => {
  it('are found in @berth/engine (packages/engine/proxy)', () => {
    expect(DEFAULT_PROXY_DIR).toBe(path.resolve(fileURLToPath(new URL('../../packages/engine/proxy', import.meta.url))));
  });
});

describe('names and labels', () => {
  it('derives readable, valid names', () => {
    expect(containerName('prod', 'web', 2)).toBe('prod-web-2');
    expect(containerName('prod', 'api/v2', 0, 'a1b2')).toBe('prod-api-v2-0-a1b2');
    expect(imageTag('Prod', 'Web Image', 'abc123')).toBe('berth/prod-web-image:abc123');
    expect(labelFilter({ 'berth.resource': 'web', 'berth.cluster': 'prod', 'berth.spec': '' })).toBe('{"label":["berth.cluster=prod","berth.resource=web","berth.spec"]}');
  });

  it('builds the create body with ns durations, Init and ownership labels', () => {
    const body = createBody({
      cluster: 'c',
      resource: 'web',
      ordinal: 1,
      specHash: 'h',
      release: 'r7',
      image: 'sha256:abc',
      env: { B: '2', A: '1' },
      ports: [{ container: 8080, host: 0, hostIp: '127.0.0.1' }, { container: 9000, protocol: 'udp' }],
      healthcheck: { test: ['CMD', 'true'], intervalMs: 500, timeoutMs: 1000, retries: 2, startPeriodMs: 3000 },
      restart: { policy: 'on-failure', maxRetries: 3 },
      network: { name: 'berth-c', aliases: ['web'] },
      mounts: [{ volume: 'c-data', target: '/data' }],
    });
    expect(body).toMatchObject({
      name: 'c-web-1',
      Env: ['A=1', 'B=2'],
      Labels: { 'berth.cluster': 'c', 'berth.resource': 'web', 'berth.spec': 'h', 'berth.release': 'r7', 'berth.ordinal': '1', 'berth.component': 'replica' },
      ExposedPorts: { '8080/tcp': {}, '9000/udp': {} },
      Healthcheck: { Test: ['CMD', 'true'], Interval: 500_000_000, Timeout: 1_000_000_000, Retries: 2, StartPeriod: 3_000_000_000 },
      HostConfig: {
        Init: true,
        NetworkMode: 'berth-c',
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
        Mounts: [{ Type: 'volume', Source: 'c-data', Target: '/data', ReadOnly: false }],
      },
      NetworkingConfig: { EndpointsConfig: { 'berth-c': { Aliases: ['web'] } } },
    });
  });
});

describe('byte formats', () => {
  it('writes a ustar archive with modes and root ownership by default', () => {
    const tar = tarFiles([{ path: '/run/secrets/x', content: 'abc', mode: 0o400 }]);
    expect(tar.length).toBe(512 + 512 + 1024);
    expect(tar.subarray(0, 14).toString()).toBe('run/secrets/x\0');
    expect(tar.subarray(100, 107).toString()).toBe('0000400');
    expect(tar.subarray(257, 262).toString()).toBe('ustar');
    expect(tar.subarray(512, 515).toString()).toBe('abc');
    // checksum: sum of header bytes with the checksum field as spaces
    const h = Buffer.from(tar.subarray(0, 512));
    const stored = parseInt(h.subarray(148, 154).toString(), 8);
    h.fill(' ', 148, 156);
    expect(stored).toBe(h.reduce((a, b) => a + b, 0));
  });

  it('writes the owner asked for, and directory entries before the files', () => {
    const tar = tarFiles([{ path: 'c1/0', content: 'abc', mode: 0o440, uid: 1000, gid: 1001 }], ['c1']);
    expect(tar.length).toBe(512 + 512 + 512 + 1024);
    expect(tar.subarray(0, 4).toString()).toBe('c1/\0');
    expect(tar.subarray(156, 157).toString()).toBe('5');
    expect(tar.subarray(100, 107).toString()).toBe('0000755');
    const f = tar.subarray(512);
    expect(f.subarray(0, 5).toString()).toBe('c1/0\0');
    expect(f.subarray(100, 107).toString()).toBe('0000440');
    expect(parseInt(f.subarray(108, 115).toString(), 8)).toBe(1000);
    expect(parseInt(f.subarray(116, 123).toString(), 8)).toBe(1001);
  });

  it('demultiplexes log frames split anywhere', () => {
    const frame = (stream: number, s: string): Buffer => {
      const b = Buffer.from(s);
      const h = Buffer.alloc(8);
      h[0] = stream;
      h.writeUInt32BE(b.length, 4);
      return Buffer.concat([h, b]);
    };
    const body = Buffer.concat([frame(1, 'hello\nwor'), frame(2, 'oops\n'), frame(1, 'ld\n')]);
    expect(demux(body)).toEqual([
      { stream: 'stdout', text: 'hello' },
      { stream: 'stderr', text: 'oops' },
      { stream: 'stdout', text: 'world' },
    ]);
  });
});
