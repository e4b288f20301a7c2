/**
 * A throw-away dockerd of a test's own: data-root, exec-root, pidfile, socket (docker.sock) and
 * log (dockerd.log) in the test's folder, no bridge, no iptables, in a network namespace of its
 * own. `unshare --net` execs dockerd (through sh when lo is to be brought up first), so the
 * pid is dockerd's and `stop` ends only the daemon we started; its containers and containerd
 * go with it. The namespace is needed: a dockerd started with --bridge=none DELETES any
 * interface called docker0 it can see, which in the host namespace is the shared engine's
 * default bridge. Needs root, dockerd and unshare (and ip for `loUp`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** The socket of the daemon started in `dir` (DOCKER_HOST is `unix://` + this), known before it starts. */
const bin = (name: string): string | undefined => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => path.join(d, name)).find((p) => fs.existsSync(p));

/** This host's dockerd binary, for a private engine. */
export const dockerdBinary: string | undefined = bin('dockerd');

/** Why a private engine cannot run here (a skip note), or '' when it can: it needs root, dockerd, unshare, nsenter and ip. */
export const privateEngineMissing: string =
  process.getuid?.() !== 0
    ? ' (skipped: a dockerd of its own needs root)'
    : dockerdBinary === undefined || bin('unshare') === undefined || bin('nsenter') === undefined || bin('ip') === undefined
      ? ' (skipped: needs dockerd, unshare, nsenter and ip)'
      : '';

export const engineSocket = (dir: string): string => path.join(dir, 'docker.sock');

export interface PrivateEngineOptions {
  /** The dockerd binary. */
  readonly dockerd: string;
  /** Bring lo up in the namespace before dockerd starts (published ports bind 127.0.0.1 there). */
  readonly loUp?: boolean;
}

export interface PrivateEngine {
  /** engineSocket(dir). */
  readonly sock: string;
  /** dockerd's pid, also the namespace's (`nsenter --net=/proc/<pid>/ns/net`). */
  readonly pid: number | undefined;
  /**
   * Waits (30 s at most) until `up` says the daemon answers, by default a 200 from GET /_ping on
   * the socket; throws with the log's tail, naming the daemon `what`, if it does not or it exits.
   */
  ready(what: string, up?: () => Promise<boolean>): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` if it has not exited; nothing if it is not running. */
  stop(graceMs: number): Promise<void>;
}

/** Starts the daemon in `dir` (which must exist); call `ready`, and `stop` whether or not that threw. */
export function startPrivateEngine(dir: string, opts: PrivateEngineOptions): PrivateEngine {
  const sock = engineSocket(dir);
  const log = path.join(dir, 'dockerd.log');
  const daemon = [opts.dockerd, `--data-root=${dir}/data`, `--exec-root=${dir}/exec`, `--pidfile=${dir}/docker.pid`, '-H', `unix://${sock}`, '--bridge=none', '--iptables=false'];
  const proc: ChildProcess = spawn('unshare', ['--net', ...(opts.loUp ? ['sh', '-c', `ip link set lo up && exec "$0" "$@"`] : []), ...daemon], {
    stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')],
  });
  const ping = (): Promise<boolean> =>
    new Promise((resolve) => {
      const req = http.get({ socketPath: sock, path: '/_ping', timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  return {
    sock,
    pid: proc.pid,
    async ready(what, up = ping) {
      const deadline = Date.now() + 30_000;
      while (!(await up())) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`${what} did not start:\n${fs.readFileSync(log, 'utf8').slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(graceMs) {
      if (proc.pid === undefined || proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          proc.kill('SIGKILL');
          r();
        }, graceMs);
        proc.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
}
