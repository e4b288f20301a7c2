/**
 * The default state backend: files under `.berth/` beside cluster.ts.
 *
 *   .berth/<cluster>.state.json            the current state (mode 0600)
 *   .berth/<cluster>.lock                  who is deploying (pid, host, time)
 *   .berth/history/<cluster>.<serial>.json the last N versions, for recovery
 *   .berth/releases/<cluster>.<hash>.json  the program (graph) each recorded release deployed
 *
 * Every write is atomic (temp file, fsync, rename, fsync of the folder), so a crash leaves
 * either the old or the new state, never a mix. A file that does not validate is refused and
 * never overwritten: the user decides, with a pointer to the last good copy.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join, relative } from 'node:path';
import { StateError } from '@berth/core';
import { parseStateQuick, STATE_VERSION, StateJson, type State } from './schema.ts';
import type { HistoryEntry, LockInfo, StateLock, StateStore } from './store.ts';

export interface LocalStateStoreOptions {
  /** The `.berth` folder. */
  readonly dir: string;
  /** How many previous versions to keep per cluster. @default 20 */
  readonly keepHistory?: number;
  /** This machine's name as lock files record it. @default os.hostname() */
  readonly hostname?: string;
  /** Shown instead of absolute paths in messages (usually the folder of cluster.ts). @default process.cwd() */
  readonly displayBase?: string;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Cluster ids become file names; anything outside a safe set is percent-encoded. */
function fileSafe(cluster: string): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(cluster) ? cluster : encodeURIComponent(cluster).replace(/\./g, '%2E');
}

export class LocalStateStore implements StateStore {
  readonly location: string;
  private readonly dir: string;
  private readonly keep: number;
  private readonly host: string;
  private readonly base: string;

  constructor(options: LocalStateStoreOptions) {
    this.dir = options.dir;
    this.keep = Math.max(1, options.keepHistory ?? 20);
    this.host = options.hostname ?? osHostname();
    this.base = options.displayBase ?? process.cwd();
    this.location = this.show(this.dir);
  }

  statePath(cluster: string): string {
    return join(this.dir, `${fileSafe(cluster)}.state.json`);
  }
  lockPath(cluster: string): string {
    return join(this.dir, `${fileSafe(cluster)}.lock`);
  }
  /** `.berth/<cluster>.secret-key`: beside the state, never in it (nor in history/). */
  secretKeyPath(cluster: string): string {
    return join(this.dir, `${fileSafe(cluster)}.secret-key`);
  }
  private historyDir(): string {
    return join(this.dir, 'history');
  }
  private historyPath(cluster: string, serial: number): string {
    return join(this.historyDir(), `${fileSafe(cluster)}.${serial}.json`);
  }
  private snapshotDir(): string {
    return join(this.dir, 'releases');
  }
  private snapshotPath(cluster: string, graphHash: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(graphHash)) throw new StateError('state.corrupt', `not a graph hash: "${graphHash}"`);
    return join(this.snapshotDir(), `${fileSafe(cluster)}.${graphHash}.json`);
  }
  private show(p: string): string {
    const r = relative(this.base, p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  }

  /** The clusters that have a state file here, sorted. */
  async clusters(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return [];
      throw e;
    }
    return names
      .filter((n) => n.endsWith('.state.json'))
      .map((n) => decodeURIComponent(n.slice(0, -'.state.json'.length)))
      .sort();
  }

  async read(cluster: string): Promise<State | undefined> {
    const path = this.statePath(cluster);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (errCode(e) === 'ENOENT') return undefined;
      throw new StateError('state.corrupt', `cannot read state file ${this.show(path)}: ${(e as Error).message}`, {
        cause: e,
        hint: 'check the permissions of the .berth folder',
      });
    }
    return this.parse(cluster, path, text);
  }

  /** Parses and validates a state file's text; refusals point at the last good copy. */
  private async parse(cluster: string, path: string, text: string): Promise<State> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      // The parser's own words go in `cause` (the CLI prints it on its own line).
      const what = text.trim() === '' ? 'is empty' : 'is not valid JSON (truncated?)';
      throw await this.refuse(cluster, 'state.corrupt', `state file ${this.show(path)} ${what}`, e);
    }
    const version = typeof raw === 'object' && raw !== null ? (raw as { stateVersion?: unknown }).stateVersion : undefined;
    if (typeof version === 'number' && version > STATE_VERSION) {
      throw await this.refuse(
        cluster,
        'state.newer-schema',
        `state file ${this.show(path)} was written by a newer berth (stateVersion ${version}; this berth reads ${STATE_VERSION})`,
        undefined,
        'upgrade berth to read it',
      );
    }
    const quick = parseStateQuick(raw);
    if (quick && quick.cluster === cluster) return quick;
    const parsed = StateJson.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
      throw await this.refuse(cluster, 'state.corrupt', `state file ${this.show(path)} is not a valid berth state (${where})`, parsed.error);
    }
    if (parsed.data.cluster !== cluster) {
      throw await this.refuse(cluster, 'state.corrupt', `state file ${this.show(path)} belongs to cluster "${parsed.data.cluster}", not "${cluster}"`);
    }
    return parsed.data;
  }

  private async refuse(cluster: string, code: 'state.corrupt' | 'state.newer-schema', message: string, cause?: unknown, first?: string): Promise<StateError> {
    const good = await this.lastGoodCopy(cluster);
    const file = this.show(this.statePath(cluster));
    const recovery = good
      ? `the last good copy is ${good.location} (serial ${good.serial}); compare the two, then copy it over ${file}`
      : `no earlier copy is kept in ${this.show(this.historyDir())}; restore ${file} from a backup`;
    const hint = `${first ? `${first}. Otherwise: ` : ''}${recovery}. berth leaves the file untouched and will not write over it.`;
    return new StateError(code, message, { cause, hint });
  }

  /** The newest history copy that validates, if any. */
  async lastGoodCopy(cluster: string): Promise<HistoryEntry | undefined> {
    for (const h of await this.historyFiles(cluster)) {
      try {
        const raw: unknown = JSON.parse(await readFile(h.path, 'utf8'));
        if (StateJson.safeParse(raw).success) return { serial: h.serial, location: this.show(h.path) };
      } catch {
        // a damaged history copy is skipped: we are looking for one that is good
      }
    }
    return undefined;
  }

  private async historyFiles(cluster: string): Promise<{ serial: number; path: string }[]> {
    let names: string[];
    try {
      names = await readdir(this.historyDir());
    } catch (e) {
      if (errCode(e) === 'ENOENT') return [];
      throw e;
    }
    const prefix = `${fileSafe(cluster)}.`;
    const out: { serial: number; path: string }[] = [];
    for (const n of names) {
      if (!n.startsWith(prefix) || !n.endsWith('.json')) continue;
      const mid = n.slice(prefix.length, -'.json'.length);
      // exact match only: cluster "a" must not pick up "a.b.3.json"
      if (!/^\d+$/.test(mid)) continue;
      out.push({ serial: Number(mid), path: join(this.historyDir(), n) });
    }
    return out.sort((a, b) => b.serial - a.serial);
  }

  async history(cluster: string): Promise<HistoryEntry[]> {
    return (await this.historyFiles(cluster)).map((h) => ({ serial: h.serial, location: this.show(h.path) }));
  }

  async write(lock: StateLock, next: State): Promise<State> {
    const cluster = lock.cluster;
    if (next.cluster !== cluster) {
      throw new StateError('state.corrupt', `refusing to write state of cluster "${next.cluster}" under the lock of "${cluster}"`);
    }
    await this.assertHeld(lock);
    // Reading first both refuses to overwrite a damaged file (read throws) and detects a
    // concurrent writer that ignored the lock.
    const current = await this.read(cluster);
    const currentSerial = current?.serial ?? 0;
    if (next.serial !== currentSerial) {
      throw new StateError('state.locked', `state of cluster "${cluster}" changed while it was being written (expected serial ${next.serial}, found ${currentSerial})`, {
        hint: 'another process wrote the state without holding the lock; run the command again',
      });
    }
    if (current && current.lineage !== next.lineage) {
      throw new StateError('state.corrupt', `refusing to replace state of lineage ${current.lineage} with lineage ${next.lineage}`, {
        hint: 'the state file belongs to another deployment history; move it away if that is intended',
      });
    }
    // Always written as this berth's version: a version-1 file read here may now hold a journal.
    const written = StateJson.parse({ ...next, stateVersion: STATE_VERSION, serial: currentSerial + 1 });
    const text = `${JSON.stringify(written, null, 2)}\n`;
    await this.ensureDirs();
    // History first: whenever the current file says serial n, a copy of n exists to fall back to.
    await this.atomicWrite(this.historyPath(cluster, written.serial), text);
    await this.atomicWrite(this.statePath(cluster), text);
    await this.prune(cluster);
    return written;
  }

  async writeSnapshot(cluster: string, graphHash: string, text: string): Promise<void> {
    const path = this.snapshotPath(cluster, graphHash);
    await mkdir(this.snapshotDir(), { recursive: true, mode: DIR_MODE });
    // Content-addressed: an existing file already holds exactly this text.
    if ((await readFile(path, 'utf8').catch(() => undefined)) === text) return;
    await this.atomicWrite(path, text);
  }

  async readSnapshot(cluster: string, graphHash: string): Promise<string | undefined> {
    try {
      return await readFile(this.snapshotPath(cluster, graphHash), 'utf8');
    } catch (e) {
      if (errCode(e) === 'ENOENT') return undefined;
      throw new StateError('state.corrupt', `cannot read the release snapshot ${this.show(this.snapshotPath(cluster, graphHash))}: ${(e as Error).message}`, { cause: e });
    }
  }

  async pruneSnapshots(cluster: string, keep: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.snapshotDir());
    } catch (e) {
      if (errCode(e) === 'ENOENT') return;
      throw e;
    }
    const prefix = `${fileSafe(cluster)}.`;
    for (const n of names) {
      if (!n.startsWith(prefix) || !n.endsWith('.json')) continue;
      const hash = n.slice(prefix.length, -'.json'.length);
      // Exact shape only: cluster "a" must not touch "a.b.<hash>.json".
      if (!/^[A-Za-z0-9_-]+$/.test(hash) || keep.has(hash)) continue;
      await unlink(join(this.snapshotDir(), n)).catch(() => undefined);
    }
  }

  private async ensureDirs(): Promise<void> {
    await mkdir(this.historyDir(), { recursive: true, mode: DIR_MODE });
  }

  async secretKey(cluster: string): Promise<string> {
    const path = this.secretKeyPath(cluster);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const text = (await readFile(path, 'utf8')).trim();
        if (/^[0-9a-f]{64}$/.test(text)) return text;
        throw new StateError('state.corrupt', `the secret-version key ${this.show(path)} is damaged`, {
          hint: `remove it; the next deploy makes a new key and rolls the Deployments that use Secrets once`,
        });
      } catch (e) {
        if (errCode(e) !== 'ENOENT') throw e;
      }
      await this.ensureDirs();
      // Exclusive: of two deploys making the key at once, one wins and both use its key.
      await this.createExclusive(path, randomBytes(32).toString('hex') + '\n');
    }
    throw new StateError('state.corrupt', `cannot create the secret-version key ${this.show(path)}`, { hint: 'check the permissions of the .berth folder' });
  }

  /** temp file in the same folder → fsync → rename → fsync the folder (so the rename itself survives a crash). */
  private async atomicWrite(path: string, text: string): Promise<void> {
    const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    const fh = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, FILE_MODE);
    try {
      // chmod too: an unusual umask cannot widen 0600, but a pre-existing ACL default could.
      await fh.chmod(FILE_MODE);
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } catch (e) {
      await fh.close();
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await fh.close();
    try {
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await this.syncDir(join(path, '..'));
  }

  private async syncDir(dir: string): Promise<void> {
    const dh = await open(dir, fsc.O_RDONLY);
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  private async prune(cluster: string): Promise<void> {
    const files = await this.historyFiles(cluster);
    for (const old of files.slice(this.keep)) await unlink(old.path).catch(() => undefined);
  }

  // ---- locking ----

  async readLock(cluster: string): Promise<LockInfo | undefined> {
    return this.readLockFile(this.lockPath(cluster));
  }

  private async readLockFile(path: string): Promise<LockInfo | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (errCode(e) === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const v = JSON.parse(text) as Partial<LockInfo>;
      if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.time === 'string' && typeof v.token === 'string') {
        return { pid: v.pid, host: v.host, time: v.time, token: v.token, operation: typeof v.operation === 'string' ? v.operation : 'unknown' };
      }
    } catch {
      // fall through: an unreadable lock is still a lock
    }
    return { pid: 0, host: 'unknown', time: 'unknown', operation: 'unknown', token: `unreadable:${text.length}` };
  }

  /** True only when we can prove the owner is gone: same host and no such process. */
  private ownerIsDead(info: LockInfo): boolean {
    if (info.host !== this.host || info.pid <= 0) return false;
    if (info.pid === process.pid) return false;
    try {
      process.kill(info.pid, 0);
      return false;
    } catch (e) {
      // EPERM: the process exists but belongs to someone else — alive.
      return errCode(e) === 'ESRCH';
    }
  }

  private lockedError(cluster: string, info: LockInfo): StateError {
    const who = info.host === 'unknown' ? 'an unreadable lock file' : `pid ${info.pid} on ${info.host} (${info.operation}) since ${info.time}`;
    return new StateError('state.locked', `state of cluster "${cluster}" is locked by ${who}`, {
      hint: `wait for it to finish; if that process is gone (for example it crashed on another host), run the command again with --force-unlock (lock file ${this.show(this.lockPath(cluster))})`,
    });
  }

  async lock(cluster: string, operation: string): Promise<StateLock> {
    await this.ensureDirs();
    const info: LockInfo = { pid: process.pid, host: this.host, time: new Date().toISOString(), operation, token: randomUUID() };
    const path = this.lockPath(cluster);
    // Two rounds are enough: one to clear a dead owner's lock, one to take it.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.createExclusive(path, `${JSON.stringify(info)}\n`)) {
        await this.sweepTemps(cluster);
        return { cluster, info };
      }
      const held = await this.readLockFile(path);
      if (!held) continue; // released between our attempt and the read
      if (!this.ownerIsDead(held)) throw this.lockedError(cluster, held);
      // Take over a dead owner's lock. Renaming is atomic, so of several contenders only one
      // moves the file; if what we moved is not the dead lock we judged (a contender already
      // replaced it), we put it back and report it as held.
      const aside = `${path}.stale-${info.token}`;
      try {
        await rename(path, aside);
      } catch (e) {
        if (errCode(e) === 'ENOENT') continue;
        throw e;
      }
      const moved = await this.readLockFile(aside);
      if (moved && moved.token !== held.token) {
        await link(aside, path).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
        throw this.lockedError(cluster, moved);
      }
      await unlink(aside).catch(() => undefined);
    }
    const last = await this.readLockFile(path);
    throw this.lockedError(cluster, last ?? { pid: 0, host: 'unknown', time: 'unknown', operation: 'unknown', token: '' });
  }

  /**
   * Removes temp files a killed writer left behind. State temp files are only written under
   * the lock, so once we hold it, any that exist are garbage (lock temp files are not touched:
   * a contender may be about to link one).
   */
  private async sweepTemps(cluster: string): Promise<void> {
    const base = fileSafe(cluster);
    const sweep = async (folder: string, isOurs: (name: string) => boolean): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(folder);
      } catch {
        return;
      }
      for (const n of names) if (n.endsWith('.tmp') && isOurs(n)) await unlink(join(folder, n)).catch(() => undefined);
    };
    await sweep(this.dir, (n) => n.startsWith(`${base}.state.json.`));
    await sweep(this.historyDir(), (n) => n.startsWith(`${base}.`) && /^\d+\.json\./.test(n.slice(base.length + 1)));
  }

  /** Creates `path` with `text` only if it does not exist; the content is complete before the name appears. */
  private async createExclusive(path: string, text: string): Promise<boolean> {
    const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    const fh = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, FILE_MODE);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      // link(2) fails with EEXIST atomically, unlike a check-then-write.
      await link(tmp, path);
      await this.syncDir(this.dir);
      return true;
    } catch (e) {
      if (errCode(e) === 'EEXIST') return false;
      throw e;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  private async assertHeld(lock: StateLock): Promise<void> {
    const held = await this.readLock(lock.cluster);
    if (!held || held.token !== lock.info.token) {
      throw new StateError('state.locked', `this process no longer holds the lock of cluster "${lock.cluster}"${held ? ` (now held by pid ${held.pid} on ${held.host} since ${held.time})` : ''}`, {
        hint: 'someone removed the lock (--force-unlock?) while this command ran; run it again',
      });
    }
  }

  async unlock(lock: StateLock): Promise<void> {
    const held = await this.readLock(lock.cluster);
    if (held && held.token === lock.info.token) await unlink(this.lockPath(lock.cluster)).catch(() => undefined);
  }

  async forceUnlock(cluster: string): Promise<LockInfo | undefined> {
    const held = await this.readLock(cluster);
    if (held) await unlink(this.lockPath(cluster)).catch((e: unknown) => (errCode(e) === 'ENOENT' ? undefined : Promise.reject(e)));
    return held;
  }
}
