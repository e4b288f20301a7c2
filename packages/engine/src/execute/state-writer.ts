/**
 * The executor's one path to the state store: serialised writes with group commit.
 *
 * Each commit is a function of the state before it, applied to whatever the previous write
 * left, so concurrent steps never overwrite each other's records. Commits that arrive while a
 * write is in flight go into the next write together: when 10 rollouts turn ready within a
 * moment, the deploy used to wait for 10 fsync'd writes one after another (0.1 s each on a
 * loaded machine). A commit resolves only once a write holding it is durable — which is what
 * the journal's write-ahead rule rests on.
 */
import type { State } from '../state/schema.ts';
import type { StateLock, StateStore } from '../state/store.ts';

export interface Commit {
  readonly apply: (s: State) => State;
  /** Journal entries this commit adds (counted for `afterDurable`). */
  readonly journalEntries: number;
}

export interface StateWriterOptions {
  /**
   * Called after each durable write, before any commit of it resolves (so before any step
   * waiting on it goes on), with the number of journal entries durable so far in this run.
   * The crash-point hook (crash-point.ts) kills the process here.
   */
  readonly afterDurable?: (journalEntries: number, written: State) => void;
}

export class StateWriter {
  private current: State;
  private readonly queued: Array<Commit & { resolve: () => void; reject: (e: unknown) => void }> = [];
  private writing: Promise<void> | undefined;
  private entries = 0;

  constructor(
    private readonly store: StateStore,
    private readonly lock: StateLock,
    initial: State,
    private readonly options: StateWriterOptions = {},
  ) {
    this.current = initial;
  }

  /** The state as last written (or as given, before the first write). */
  get state(): State {
    return this.current;
  }

  /** Resolves once a write holding `apply`'s result is durable; rejects when `apply` throws or the write fails. */
  commit(apply: (s: State) => State, journalEntries = 0): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ apply, journalEntries, resolve, reject });
      this.writing ??= this.flush();
    });
  }

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async flush(): Promise<void> {
    // One microtask first: commits made in the same tick share a write, and `writing` is set
    // before this can finish (it is cleared below, with nothing queued and no await between).
    await Promise.resolve();
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0);
      let next = this.current;
      const held: typeof batch = [];
      for (const c of batch) {
        try {
          next = c.apply(next);
          held.push(c);
        } catch (e) {
          c.reject(e);
        }
      }
      if (held.length === 0) continue;
      try {
        this.current = await this.store.write(this.lock, next);
      } catch (e) {
        for (const c of held) c.reject(e);
        continue;
      }
      for (const c of held) this.entries += c.journalEntries;
      this.options.afterDurable?.(this.entries, this.current);
      for (const c of held) c.resolve();
    }
    this.writing = undefined;
  }
}
