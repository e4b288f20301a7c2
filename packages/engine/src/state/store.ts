/**
 * The state store interface. The local file backend is the default; a shared backend
 * (a database with row locks, like Terraform's pg backend) implements the same contract.
 */
import type { State } from './schema.ts';

/** Who holds a cluster's lock. */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly time: string;
  /** What the owner is doing: `deploy`, `destroy`… */
  readonly operation: string;
  /** Unique per acquisition, so an owner can tell its own lock from a successor's. */
  readonly token: string;
}

/** A held lock; pass it to `write` and `unlock`. */
export interface StateLock {
  readonly cluster: string;
  readonly info: LockInfo;
}

/** A previous version kept by the store. */
export interface HistoryEntry {
  readonly serial: number;
  /** Where it is (a file path for the local store), for messages and recovery hints. */
  readonly location: string;
}

export interface StateStore {
  /** Where state lives, for messages (`.berth/`). */
  readonly location: string;
  /**
   * The cluster's state, or undefined when it was never deployed. Throws StateError
   * `state.corrupt` / `state.newer-schema` (with a pointer to the last good copy) rather
   * than returning something it cannot vouch for.
   */
  read(cluster: string): Promise<State | undefined>;
  /**
   * Takes the cluster's lock. Throws StateError `state.locked` naming the owner when a live
   * process holds it; a lock whose owner is known to be dead is taken over.
   */
  lock(cluster: string, operation: string): Promise<StateLock>;
  /**
   * Writes `next` as the new state and returns what was written. `next.serial` must be the
   * serial of the state it was derived from (0 for a new cluster); the store writes serial + 1.
   * Refuses when the stored serial moved on, when the lock is not held, or when the stored
   * file is damaged (it is never overwritten).
   */
  write(lock: StateLock, next: State): Promise<State>;
  /** Releases a lock held by this caller; a lock taken over by someone else is left alone. */
  unlock(lock: StateLock): Promise<void>;
  /** Removes the cluster's lock whoever holds it (`--force-unlock`); returns the removed owner. */
  forceUnlock(cluster: string): Promise<LockInfo | undefined>;
  /** The current lock owner, if any. */
  readLock(cluster: string): Promise<LockInfo | undefined>;
  /** Previous versions kept, newest first. */
  history(cluster: string): Promise<HistoryEntry[]>;
  /**
   * Keeps the program a release deployed (its graph JSON) under the graph's hash, so a
   * rollback needs no old program. Idempotent; durable when it resolves.
   */
  writeSnapshot(cluster: string, graphHash: string, text: string): Promise<void>;
  /** A snapshot kept by `writeSnapshot`, or undefined when it is not (any more). */
  readSnapshot(cluster: string, graphHash: string): Promise<string | undefined>;
  /** Removes the cluster's snapshots whose hash is not in `keep`. */
  pruneSnapshots(cluster: string, keep: ReadonlySet<string>): Promise<void>;
  /**
   * The cluster's secret-version key (hex), made on first use: the HMAC key of every secret
   * version. Kept by the backend but never inside the state document or its history, so a copy
   * of a state file alone cannot be used to test guesses of a secret (docs/adr/0010).
   */
  secretKey(cluster: string): Promise<string>;
}
